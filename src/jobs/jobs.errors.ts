import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum JobsErrorCode {
  QueueUnavailable = 'QUEUE_UNAVAILABLE',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<JobsErrorCode, ErrorKind> = {
  [JobsErrorCode.QueueUnavailable]: ErrorKind.Unavailable,
};

export class JobsError extends DomainError<JobsErrorCode> {
  protected readonly kinds = KINDS;
}
