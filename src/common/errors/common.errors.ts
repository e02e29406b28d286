import { assertNever, DomainError, ErrorKind } from './domain-error.js';

export enum CommonErrorCode {
  NotFound = 'NOT_FOUND',
  InvalidCursor = 'INVALID_CURSOR',
  /** A request the edge refuses before any route: too deep, NUL characters, lone surrogates. */
  InvalidInput = 'INVALID_INPUT',
}

/** Errors shared by every module: a missing row of the caller's tenant, a bad page cursor, unusable input. */
export class CommonError extends DomainError {
  declare readonly code: CommonErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case CommonErrorCode.NotFound:
        return ErrorKind.NotFound;
      case CommonErrorCode.InvalidCursor:
      case CommonErrorCode.InvalidInput:
        return ErrorKind.Invalid;
      default:
        return assertNever(this.code);
    }
  }

  static notFound(what: string, id: string): CommonError {
    return new CommonError(CommonErrorCode.NotFound, `${what} ${id} not found`);
  }
}
