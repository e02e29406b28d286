/** What TypeORM's query() answers: UPDATE/DELETE ... RETURNING with [rows, count], SELECT/INSERT with rows. */
export type Returned<T> = T[] | [T[], number];

/** The rows of a query's answer, whichever shape it came in. */
export function returnedRows<T>(result: Returned<T>): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? result[0] : (result as T[]);
}
