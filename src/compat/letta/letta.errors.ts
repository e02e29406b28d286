import { DomainError, ErrorKind } from '../../common/errors/domain-error.js';

export enum LettaErrorCode {
  /** A Letta field whose value AgentMem cannot take (the message names the field). */
  InvalidInput = 'LETTA_INVALID_INPUT',
  /** A Letta feature AgentMem does not have (Python tools, non-text message content). */
  Unsupported = 'LETTA_UNSUPPORTED',
}

const KINDS: Record<LettaErrorCode, ErrorKind> = {
  [LettaErrorCode.InvalidInput]: ErrorKind.Invalid,
  [LettaErrorCode.Unsupported]: ErrorKind.Invalid,
};

/** Errors of the Letta-compatible API's translation (the services' own errors pass through). */
export class LettaError extends DomainError<LettaErrorCode> {
  protected readonly kinds = KINDS;
}
