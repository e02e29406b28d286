import { assertNever, DomainError, ErrorKind } from './domain-error.js';

export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  InvalidCursor = 'INVALID_CURSOR',
}

/** Errors shared by every module: a missing row of the caller's tenant, a bad page cursor. */
export class CommonError extends DomainError {
  declare readonly code: CommonErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case CommonErrorCode.NotFound:
        return ErrorKind.NotFound;
      case CommonErrorCode.InvalidCursor:
        return ErrorKind.Invalid;
      default:
        return assertNever(this.code);
    }
  }

  static notFound(what: string, id: string): CommonError {
    return new CommonError(CommonErrorCode.NotFound, `${what} ${id} not found`);
  }
}
