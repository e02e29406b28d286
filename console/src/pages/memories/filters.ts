/**
 * The search filter builder's model: rows of field / operator / value joined by AND or OR,
 * turned into the API's filter language (`{"AND": [{"field": {"op": value}}, …]}`).
 */
export const FILTER_OPERATORS = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** The memory fields the filter language knows; any other name is a metadata key (dotted for nesting). */
export const FILTER_FIELDS = [
  'type',
  'userId',
  'agentId',
  'runId',
  'content',
  'importance',
  'accessCount',
  'createdAt',
  'updatedAt',
  'expiresAt',
] as const;

export interface FilterRow {
  field: string;
  op: FilterOperator;
  value: string;
}

export type Combinator = 'AND' | 'OR';

/**
 * A typed value as JSON when it is JSON (5, true, "quoted", [1,2]), else the text itself; for
 * in/nin a list, split on commas unless it is a JSON array.
 */
export function parseFilterValue(op: FilterOperator, text: string): unknown {
  const trimmed = text.trim();
  let parsed: unknown = trimmed;
  try {
    parsed = JSON.parse(trimmed);
  } catch {
    // not JSON: the text as it is
  }
  if (op === 'in' || op === 'nin') {
    if (Array.isArray(parsed)) return parsed;
    return trimmed === '' ? [] : trimmed.split(',').map((part) => parseFilterValue('eq', part));
  }
  return typeof parsed === 'object' && parsed !== null ? trimmed : parsed;
}

/** The filters object of a search, or undefined when no row names a field. */
export function buildFilters(rows: FilterRow[], combinator: Combinator): Record<string, unknown> | undefined {
  const clauses = rows
    .filter((row) => row.field.trim() !== '')
    .map((row) => ({ [row.field.trim()]: { [row.op]: parseFilterValue(row.op, row.value) } }));
  if (clauses.length === 0) return undefined;
  if (clauses.length === 1) return clauses[0];
  return { [combinator]: clauses };
}
