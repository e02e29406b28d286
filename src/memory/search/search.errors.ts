import { DomainError, ErrorKind } from '../../common/errors/domain-error.js';

export enum SearchErrorCode {
  InvalidFilter = 'INVALID_FILTER',
  VectorUnavailable = 'VECTOR_UNAVAILABLE',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<SearchErrorCode, ErrorKind> = {
  [SearchErrorCode.InvalidFilter]: ErrorKind.Invalid,
  [SearchErrorCode.VectorUnavailable]: ErrorKind.Unavailable,
};

export class SearchError extends DomainError<SearchErrorCode> {
  protected readonly kinds = KINDS;
}
