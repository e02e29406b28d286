import { DomainError, ErrorKind } from './domain-error.js';

export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  InvalidCursor = 'INVALID_CURSOR',
  /** A request the edge refuses before any route: too deep, NUL characters, lone surrogates. */
  InvalidInput = 'INVALID_INPUT',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<CommonErrorCode, ErrorKind> = {
  [CommonErrorCode.NotFound]: ErrorKind.NotFound,
  [CommonErrorCode.InvalidCursor]: ErrorKind.Invalid,
  [CommonErrorCode.InvalidInput]: ErrorKind.Invalid,
};

/** Errors shared by every module: a missing row of the caller's tenant, a bad page cursor, unusable input. */
export class CommonError extends DomainError<CommonErrorCode> {
  protected readonly kinds = KINDS;

  static notFound(what: string, id: string): CommonError {
    return new CommonError(CommonErrorCode.NotFound, `${what} ${id} not found`);
  }
}
