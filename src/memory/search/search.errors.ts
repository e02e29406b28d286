import { assertNever, DomainError, ErrorKind } from '../../common/errors/domain-error.js';

export enum SearchErrorCode {
  InvalidFilter = 'INVALID_FILTER',
  VectorUnavailable = 'VECTOR_UNAVAILABLE',
}

export class SearchError extends DomainError {
  declare readonly code: SearchErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case SearchErrorCode.InvalidFilter:
        return ErrorKind.Invalid;
      case SearchErrorCode.VectorUnavailable:
        return ErrorKind.Unavailable;
      default:
        return assertNever(this.code);
    }
  }
}
