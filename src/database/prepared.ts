import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';

/**
 * Most distinct statement texts given a name. A connection keeps what it prepared until it
 * closes (the `pg` driver never deallocates), so the names are bounded; a text seen after the
 * cap is filled runs unnamed, as any other statement.
 */
const MAX_NAMED = 512;

const names = new Map<string, string>();

/** `pg`'s query config: with a name, the connection parses and plans the text once, then only binds. */
interface NamedStatement {
  name?: string;
  text: string;
}

function statementOf(text: string): NamedStatement {
  let name = names.get(text);
  if (name === undefined && names.size < MAX_NAMED) {
    name = `am_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
  }
  return name === undefined ? { text } : { name, text };
}

/**
 * Runs a statement whose text does not depend on its values as a named prepared statement of
 * the connection it runs on: parsed once per connection, and after PostgreSQL's first five
 * executions planned once (a generic plan) when that plan is no worse than the custom ones.
 * On the embedded database, parsing and planning were most of a short statement's cost: a
 * memory's add 2.4 → 0.9 ms, a get by id 0.37 → 0.16 ms (bench/README.md, memory engine).
 *
 * Only for statements of bounded shape (CRUD by id, the add of a few chains, a search without a
 * caller's filter). Same results and errors as `query` (TypeORM hands the config to `pg` as it is).
 */
export function preparedQuery<T>(db: DataSource | EntityManager, text: string, values: unknown[]): Promise<T> {
  // TypeORM types the statement as a string but passes it to pg's `query` untouched, which takes a config object.
  return db.query<T>(statementOf(text) as unknown as string, values);
}
