import { ISO_DATE_MESSAGE, parseIsoDateTime } from '../../common/input/iso-date.js';
import { SearchError, SearchErrorCode } from './search.errors.js';
import type { SqlParams } from '../../database/sql-params.js';

export const FILTER_OPERATORS = ['eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains'] as const;
type Operator = (typeof FILTER_OPERATORS)[number];
const OPERATORS = new Set<string>(FILTER_OPERATORS);

type ColumnKind = 'text' | 'date' | 'number';
/** The memory fields a filter may name, and their columns (alias `m`). Anything else is metadata. */
const COLUMNS: Record<string, { sql: string; kind: ColumnKind }> = {
  userId: { sql: 'm.user_id', kind: 'text' },
  agentId: { sql: 'm.agent_id', kind: 'text' },
  runId: { sql: 'm.run_id', kind: 'text' },
  type: { sql: 'm.type', kind: 'text' },
  content: { sql: 'm.content', kind: 'text' },
  importance: { sql: 'm.importance', kind: 'number' },
  accessCount: { sql: 'm.access_count', kind: 'number' },
  createdAt: { sql: 'm.created_at', kind: 'date' },
  updatedAt: { sql: 'm.updated_at', kind: 'date' },
  expiresAt: { sql: 'm.expires_at', kind: 'date' },
};
const KEY_SEGMENT = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 64;

const COMPARISON: Record<'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte', string> = {
  eq: '=',
  ne: '<>',
  gt: '>',
  gte: '>=',
  lt: '<',
  lte: '<=',
};

function fail(path: string, message: string): never {
  throw new SearchError(SearchErrorCode.InvalidFilter, `${path}: ${message}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Compiles the filter language into a parameterized SQL condition over `memories m`:
 * `{AND: [...]}`, `{OR: [...]}`, `{NOT: {...}}`, and per field `{field: value}` (equality) or
 * `{field: {eq|ne|in|nin|gt|gte|lt|lte|contains: value}}`. Fields are the memory's own
 * (createdAt, type, userId, importance...) or metadata keys (`topic`, `address.city`). Values
 * only ever travel as parameters and metadata paths as a text[] parameter, so nothing a caller
 * sends is spliced into SQL; every problem is a 400 naming its place in the filter.
 */
export function compileFilter(filter: unknown, params: SqlParams, path = 'filters'): string {
  const state = { conditions: 0 };
  return compileNode(filter, params, path, 0, state);
}

function compileNode(
  node: unknown,
  params: SqlParams,
  path: string,
  depth: number,
  state: { conditions: number },
): string {
  if (depth > MAX_DEPTH) fail(path, `nested deeper than ${MAX_DEPTH} levels`);
  if (!isPlainObject(node)) fail(path, 'must be an object');
  const parts: string[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value) || value.length === 0) fail(here, 'must be a non-empty array of filters');
      const inner = value.map((v, i) => compileNode(v, params, `${here}.${i}`, depth + 1, state));
      parts.push(`(${inner.join(key === 'AND' ? ' AND ' : ' OR ')})`);
    } else if (key === 'NOT') {
      parts.push(`NOT (${compileNode(value, params, here, depth + 1, state)})`);
    } else {
      parts.push(compileField(key, value, params, here, state));
    }
  }
  if (parts.length === 0) fail(path, 'is empty');
  return parts.length === 1 ? parts[0] : `(${parts.join(' AND ')})`;
}

function compileField(
  field: string,
  spec: unknown,
  params: SqlParams,
  path: string,
  state: { conditions: number },
): string {
  const ops: [string, unknown][] = isPlainObject(spec) ? Object.entries(spec) : [['eq', spec]];
  if (ops.length === 0) fail(path, 'names no operator');
  const unknown = ops.map(([op]) => op).filter((op) => !OPERATORS.has(op));
  if (unknown.length)
    fail(
      path,
      `unknown operator${unknown.length > 1 ? 's' : ''} ${unknown.map((o) => `'${o}'`).join(', ')} (use ${FILTER_OPERATORS.join(', ')})`,
    );
  const column = COLUMNS[field];
  const conditions = ops.map(([op, value]) => {
    state.conditions += 1;
    if (state.conditions > MAX_CONDITIONS) fail(path, `a filter may hold at most ${MAX_CONDITIONS} conditions`);
    return column
      ? columnCondition(column, op as Operator, value, params, `${path}.${op}`)
      : metadataCondition(field, op as Operator, value, params, `${path}.${op}`);
  });
  return conditions.length === 1 ? conditions[0] : `(${conditions.join(' AND ')})`;
}

function checkScalar(kind: ColumnKind, value: unknown, path: string): string | number {
  if (kind === 'number') {
    if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, 'must be a number');
    return value;
  }
  if (typeof value !== 'string') fail(path, kind === 'date' ? ISO_DATE_MESSAGE : 'must be a string');
  if (kind === 'date') {
    // Strict, and passed on as a canonical UTC instant: PostgreSQL never parses the caller's text.
    const date = parseIsoDateTime(value);
    if (!date) fail(path, ISO_DATE_MESSAGE);
    return date.toISOString();
  }
  return value;
}

function columnCondition(
  column: { sql: string; kind: ColumnKind },
  op: Operator,
  value: unknown,
  params: SqlParams,
  path: string,
): string {
  const cast = column.kind === 'date' ? '::timestamptz' : column.kind === 'number' ? '::double precision' : '::text';
  switch (op) {
    case 'eq':
      if (value === null) return `${column.sql} IS NULL`;
      return `${column.sql} = ${params.add(checkScalar(column.kind, value, path))}${cast}`;
    case 'ne':
      if (value === null) return `${column.sql} IS NOT NULL`;
      return `${column.sql} IS DISTINCT FROM ${params.add(checkScalar(column.kind, value, path))}${cast}`;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return `${column.sql} ${COMPARISON[op]} ${params.add(checkScalar(column.kind, value, path))}${cast}`;
    case 'in':
    case 'nin': {
      if (!Array.isArray(value) || value.length === 0 || value.length > 100)
        fail(path, 'must be an array of 1 to 100 values');
      const list = value.map((v, i) => checkScalar(column.kind, v, `${path}.${i}`));
      const arrayCast =
        column.kind === 'date' ? '::timestamptz[]' : column.kind === 'number' ? '::double precision[]' : '::text[]';
      const cond = `${column.sql} = ANY(${params.add(list)}${arrayCast})`;
      return op === 'in' ? cond : `(${column.sql} IS NULL OR NOT ${cond})`;
    }
    case 'contains':
      if (column.kind !== 'text') fail(path, `contains applies to text fields, not ${column.kind} ones`);
      return `${column.sql} ILIKE ${params.add(`%${escapeLike(String(checkScalar('text', value, path)))}%`)}`;
  }
}

function metadataPath(field: string, path: string): string[] {
  const segments = (field.startsWith('metadata.') ? field.slice('metadata.'.length) : field).split('.');
  for (const s of segments)
    if (!KEY_SEGMENT.test(s))
      fail(path, `'${field}' is not a valid field (metadata keys are letters, digits, _ and -, dotted for nesting)`);
  return segments;
}

/** `{"a":{"b": value}}` for path [a, b]: the containment document of an equality. */
function nest(segments: string[], value: unknown): unknown {
  return segments.reduceRight<unknown>((acc, key) => ({ [key]: acc }), value);
}

function metadataCondition(field: string, op: Operator, value: unknown, params: SqlParams, path: string): string {
  const segments = metadataPath(field, path.slice(0, path.lastIndexOf('.')));
  // The value at the path, as jsonb; its parameter is only added by the operators that use it
  // (an unused parameter has no type PostgreSQL could infer).
  let pathParam: string | undefined;
  const valueAt = () => `(m.metadata #> ${(pathParam ??= params.add(segments))}::text[])`;
  const scalar = (v: unknown, p: string) => {
    if (!['string', 'number', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v)))
      fail(p, 'must be a string, number or boolean');
    return v as string | number | boolean;
  };
  switch (op) {
    case 'eq':
      if (value === null) return `(${valueAt()} IS NULL OR ${valueAt()} = 'null'::jsonb)`;
      return `m.metadata @> ${params.add(JSON.stringify(nest(segments, scalar(value, path))))}::jsonb`;
    case 'ne':
      if (value === null) return `(${valueAt()} IS NOT NULL AND ${valueAt()} <> 'null'::jsonb)`;
      return `NOT (m.metadata @> ${params.add(JSON.stringify(nest(segments, scalar(value, path))))}::jsonb)`;
    case 'in':
    case 'nin': {
      if (!Array.isArray(value) || value.length === 0 || value.length > 100)
        fail(path, 'must be an array of 1 to 100 values');
      const docs = value.map((v, i) => JSON.stringify(nest(segments, scalar(v, `${path}.${i}`))));
      const cond = `m.metadata @> ANY(${params.add(docs)}::jsonb[])`;
      return op === 'in' ? cond : `NOT (${cond})`;
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const v = scalar(value, path);
      if (typeof v === 'number') {
        // Only numbers compare with numbers: a row whose value is text simply does not match.
        return `(CASE WHEN jsonb_typeof(${valueAt()}) = 'number' THEN (${valueAt()} #>> '{}')::double precision END) ${COMPARISON[op]} ${params.add(v)}::double precision`;
      }
      if (typeof v === 'string') {
        return `(CASE WHEN jsonb_typeof(${valueAt()}) = 'string' THEN ${valueAt()} #>> '{}' END) ${COMPARISON[op]} ${params.add(v)}::text`;
      }
      return fail(path, 'must be a number or a string');
    }
    case 'contains': {
      const v = scalar(value, path);
      const inArray = `(jsonb_typeof(${valueAt()}) = 'array' AND ${valueAt()} @> ${params.add(JSON.stringify([v]))}::jsonb)`;
      if (typeof v !== 'string') return inArray;
      return `(${inArray} OR (jsonb_typeof(${valueAt()}) = 'string' AND (${valueAt()} #>> '{}') ILIKE ${params.add(`%${escapeLike(v)}%`)}))`;
    }
  }
}
