import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';

/**
 * An entity's fields as TypeORM's insert and update take them, without the ones left undefined
 * (a change names only what it changes). TypeORM's partial type refuses a jsonb column typed
 * `Record<string, unknown>`, hence the one cast here.
 */
export function entityChanges<T>(values: Partial<T>): QueryDeepPartialEntity<T> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined)) as QueryDeepPartialEntity<T>;
}
