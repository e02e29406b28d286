import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum LimitErrorCode {
  /** Requests per minute of a key, a user or an organization (the same code as the login limit's). */
  RequestsPerMinute = 'RATE_LIMITED',
  ToolRunsPerMinute = 'TOOL_RUNS_LIMITED',
  /**
   * Memories stored: a 403, not a 429. Waiting does not clear it (only deleting memories or a
   * higher limit does), and clients retry 429s on their own (Mem0's and Letta's clients among them).
   */
  MemoriesStored = 'MEMORIES_LIMIT_REACHED',
  /** Only the installation owner sets limits; an organization's admins read their own. */
  NotInstallationOwner = 'NOT_INSTALLATION_OWNER',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<LimitErrorCode, ErrorKind> = {
  [LimitErrorCode.RequestsPerMinute]: ErrorKind.RateLimited,
  [LimitErrorCode.ToolRunsPerMinute]: ErrorKind.RateLimited,
  [LimitErrorCode.MemoriesStored]: ErrorKind.Forbidden,
  [LimitErrorCode.NotInstallationOwner]: ErrorKind.Forbidden,
};

/** What a refusal names: which limit, whose, its value, and (for rates) when to retry. */
export interface LimitDetails {
  limit: 'requestsPerMinute' | 'toolRunsPerMinute' | 'memoriesStored';
  /** Whose limit was hit. */
  of: 'apiKey' | 'user' | 'organization';
  value: number;
  /** Seconds until the window ends (rates only); also the Retry-After header. */
  retryAfter?: number;
}

/** A limit was reached, or someone other than the installation owner tried to set limits. */
export class LimitError extends DomainError<LimitErrorCode> {
  protected readonly kinds = KINDS;

  constructor(code: LimitErrorCode, message: string, details?: LimitDetails) {
    super(code, message, details);
  }
}
