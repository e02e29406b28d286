import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum LlmErrorCode {
  NotConfigured = 'LLM_NOT_CONFIGURED',
  InvalidOutput = 'LLM_INVALID_OUTPUT',
  Failed = 'LLM_FAILED',
}

export class LlmError extends DomainError {
  declare readonly code: LlmErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case LlmErrorCode.NotConfigured:
        return ErrorKind.Unavailable;
      case LlmErrorCode.InvalidOutput:
      case LlmErrorCode.Failed:
        return ErrorKind.Upstream;
      default:
        return assertNever(this.code);
    }
  }
}
