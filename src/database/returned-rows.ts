/** TypeORM answers UPDATE/DELETE ... RETURNING with [rows, count], SELECT/INSERT with rows. */
export function returnedRows<T>(result: T[] | [T[], number]): T[] {
  return result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number' ? (result[0] as T[]) : (result as T[]);
}
