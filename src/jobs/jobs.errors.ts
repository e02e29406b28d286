import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum JobsErrorCode {
  QueueUnavailable = 'QUEUE_UNAVAILABLE',
}

export class JobsError extends DomainError {
  declare readonly code: JobsErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case JobsErrorCode.QueueUnavailable:
        return ErrorKind.Unavailable;
      default:
        return assertNever(this.code);
    }
  }
}
