/** What kind of failure a domain error is; the global filter maps each kind to one HTTP status. */
export enum ErrorKind {
  Invalid = 'invalid',
  Unauthenticated = 'unauthenticated',
  Forbidden = 'forbidden',
  NotFound = 'not_found',
  Conflict = 'conflict',
  TooLarge = 'too_large',
  RateLimited = 'rate_limited',
  Upstream = 'upstream',
  Unavailable = 'unavailable',
}

/**
 * Base of every error a service throws on purpose. Each module has its own subclass with an
 * enum of codes and a table from code to kind (a `Record` over the enum, so a new code cannot
 * go unmapped).
 */
export abstract class DomainError<C extends string = string> extends Error {
  protected abstract readonly kinds: Readonly<Record<C, ErrorKind>>;

  constructor(
    readonly code: C,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }

  get kind(): ErrorKind {
    return this.kinds[this.code];
  }
}

export function assertNever(value: never): never {
  throw new Error(`unmapped value: ${String(value)}`);
}
