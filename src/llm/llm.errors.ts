import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum LlmErrorCode {
  NotConfigured = 'LLM_NOT_CONFIGURED',
  InvalidOutput = 'LLM_INVALID_OUTPUT',
  Failed = 'LLM_FAILED',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<LlmErrorCode, ErrorKind> = {
  [LlmErrorCode.NotConfigured]: ErrorKind.Unavailable,
  [LlmErrorCode.InvalidOutput]: ErrorKind.Upstream,
  [LlmErrorCode.Failed]: ErrorKind.Upstream,
};

export class LlmError extends DomainError<LlmErrorCode> {
  protected readonly kinds = KINDS;
}
