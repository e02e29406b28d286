import { QueryFailedError } from 'typeorm';

/** A PostgreSQL unique-constraint violation (SQLSTATE 23505), e.g. a concurrent duplicate insert. */
export function isUniqueViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23505';
}

/** A PostgreSQL foreign-key violation (SQLSTATE 23503), e.g. a row whose parent was deleted meanwhile. */
export function isForeignKeyViolation(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string } | undefined)?.code === '23503';
}
