import { DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum MemoryErrorCode {
  ScopeRequired = 'SCOPE_REQUIRED',
  InvalidInput = 'INVALID_MEMORY_INPUT',
  Duplicate = 'DUPLICATE_MEMORY',
  EmbeddingMismatch = 'EMBEDDING_MISMATCH',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<MemoryErrorCode, ErrorKind> = {
  [MemoryErrorCode.ScopeRequired]: ErrorKind.Invalid,
  [MemoryErrorCode.InvalidInput]: ErrorKind.Invalid,
  [MemoryErrorCode.Duplicate]: ErrorKind.Conflict,
  [MemoryErrorCode.EmbeddingMismatch]: ErrorKind.Unavailable,
};

export class MemoryError extends DomainError<MemoryErrorCode> {
  protected readonly kinds = KINDS;
}
