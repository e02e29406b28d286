import { assertNever, DomainError, ErrorKind } from '../common/errors/domain-error.js';

export enum MemoryErrorCode {
  ScopeRequired = 'SCOPE_REQUIRED',
  InvalidInput = 'INVALID_MEMORY_INPUT',
  Duplicate = 'DUPLICATE_MEMORY',
  EmbeddingMismatch = 'EMBEDDING_MISMATCH',
}

export class MemoryError extends DomainError {
  declare readonly code: MemoryErrorCode;

  get kind(): ErrorKind {
    switch (this.code) {
      case MemoryErrorCode.ScopeRequired:
      case MemoryErrorCode.InvalidInput:
        return ErrorKind.Invalid;
      case MemoryErrorCode.Duplicate:
        return ErrorKind.Conflict;
      case MemoryErrorCode.EmbeddingMismatch:
        return ErrorKind.Unavailable;
      default:
        return assertNever(this.code);
    }
  }
}
