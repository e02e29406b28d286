import { DomainError, ErrorKind } from '../../common/errors/domain-error.js';

export enum Mem0ErrorCode {
  /** A request Mem0's API would take but that names something this server cannot express. */
  Unsupported = 'MEM0_UNSUPPORTED',
  InvalidInput = 'MEM0_INVALID_INPUT',
}

/** The kind (and so the HTTP status) of each code. */
const KINDS: Record<Mem0ErrorCode, ErrorKind> = {
  [Mem0ErrorCode.Unsupported]: ErrorKind.Invalid,
  [Mem0ErrorCode.InvalidInput]: ErrorKind.Invalid,
};

export class Mem0Error extends DomainError<Mem0ErrorCode> {
  protected readonly kinds = KINDS;
}
