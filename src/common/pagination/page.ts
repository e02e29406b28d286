/** One page of a list: items in creation order and the cursor of the next page (null at the end). */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

/** Turns `limit + 1` rows fetched in id order into a page (the extra row only says there is more). */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const data = rows.slice(0, limit);
  return { data, nextCursor: rows.length > limit ? data[data.length - 1].id : null };
}

export function mapPage<T, R>(page: Page<T>, map: (item: T) => R): Page<R> {
  return { data: page.data.map(map), nextCursor: page.nextCursor };
}
