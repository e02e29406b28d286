import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum RealtimeErrorCode {
  TooManyStreams = 'TOO_MANY_STREAMS',
}

export class RealtimeError extends DomainError {
  declare readonly code: RealtimeErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case RealtimeErrorCode.TooManyStreams:
        return ErrorKind.RateLimited;
      default:
        return assertNever(this.code);
    }
  }
}
