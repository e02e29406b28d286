import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum RealtimeErrorCode {
  TooManyStreams = 'TOO_MANY_STREAMS',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<RealtimeErrorCode, ErrorKind> = {
  [RealtimeErrorCode.TooManyStreams]: ErrorKind.RateLimited,
};

export class RealtimeError extends DomainError<RealtimeErrorCode> {
  protected readonly kinds = KINDS;
}
