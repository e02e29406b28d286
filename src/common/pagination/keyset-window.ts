import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/**
 * A page by keyset in either direction, as Letta's clients page: `after` and `before` are
 * exclusive id bounds in `order` (ids are uuidv7, so id order is creation order).
 */
export interface KeysetWindow {
  after?: string;
  before?: string;
  limit: number;
  order: 'asc' | 'desc';
}

/**
 * Bounds, orders and limits `query` by the id `column` for the window. Given `before` alone the
 * page is the `limit` rows just before it (so that paging backwards by the first id of each page
 * reaches the start), fetched from that end: pass the rows through the returned function to get
 * them in `order`.
 */
export function applyKeysetWindow<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  column: string,
  w: KeysetWindow,
): (rows: T[]) => T[] {
  const ascending = w.order === 'asc';
  const lower = ascending ? w.after : w.before;
  const upper = ascending ? w.before : w.after;
  const fromEnd = w.before !== undefined && w.after === undefined;
  query.orderBy(column, ascending !== fromEnd ? 'ASC' : 'DESC').limit(w.limit);
  if (lower) query.andWhere(`${column} > :windowLower`, { windowLower: lower });
  if (upper) query.andWhere(`${column} < :windowUpper`, { windowUpper: upper });
  return (rows) => (fromEnd ? rows.reverse() : rows);
}
