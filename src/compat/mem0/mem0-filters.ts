import { Mem0Error, Mem0ErrorCode } from './mem0.errors.js';

/**
 * Mem0 keeps `app_id` beside the user, agent and run ids; here it is the metadata key of that
 * name (a scope needs a user, agent or run id), written on add and matched by filters.
 */
export const APP_ID_KEY = 'app_id';

/** Mem0's entity and memory fields, as the fields of our filter language. */
const FIELDS: Record<string, string> = {
  user_id: 'userId',
  agent_id: 'agentId',
  run_id: 'runId',
  app_id: `metadata.${APP_ID_KEY}`,
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  timestamp: 'createdAt',
  expiration_date: 'expiresAt',
  memory: 'content',
  keywords: 'content',
  categories: 'metadata.categories',
};

/** Mem0's comparison operators and ours (`icontains`: our `contains` already ignores case). */
const OPERATORS: Record<string, string> = {
  eq: 'eq',
  ne: 'ne',
  in: 'in',
  nin: 'nin',
  gt: 'gt',
  gte: 'gte',
  lt: 'lt',
  lte: 'lte',
  contains: 'contains',
  icontains: 'contains',
};

const SCOPE_FIELDS = { user_id: 'userId', agent_id: 'agentId', run_id: 'runId' } as const;
type ScopeField = keyof typeof SCOPE_FIELDS;

/** The user, agent and run ids a request names (each optional). */
export interface Mem0Scope {
  userId?: string;
  agentId?: string;
  runId?: string;
}

export interface TranslatedFilters {
  /** Plain equalities on user, agent or run id at the top: the search's scope. */
  scope: Mem0Scope;
  /** The rest, in our filter language; undefined when nothing is left. */
  filters?: Record<string, unknown>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new Mem0Error(Mem0ErrorCode.InvalidInput, `${path}: ${message}`);
}

/**
 * Mem0's filters (`{"AND": [{"user_id": "alice"}, {"created_at": {"gte": "2026-01-01"}}]}`,
 * `OR`, `NOT`, `metadata: {...}`, `"*"` for any value) as our scope plus our filter language.
 * Top-level equalities on user, agent and run ids become the scope, so that a search is served
 * by that scope's index like a native one; `metadata` (top-level, as Mem0's v1 search took it)
 * and `categories` (any of them) are ANDed in.
 */
export function translateMem0Filters(
  filters: Record<string, unknown> | undefined,
  extras: { metadata?: Record<string, unknown>; categories?: string[] } = {},
): TranslatedFilters {
  const scope: Mem0Scope = {};
  const rest: Record<string, unknown>[] = [];
  const takeScope = (node: Record<string, unknown>, path: string) => {
    for (const [key, value] of Object.entries(node)) {
      if (Object.hasOwn(SCOPE_FIELDS, key) && typeof value === 'string' && value !== '*') {
        const field = SCOPE_FIELDS[key as ScopeField];
        if (scope[field] !== undefined && scope[field] !== value) fail(`${path}.${key}`, 'names two different ids');
        scope[field] = value;
      } else if (key === 'AND' && Array.isArray(value)) {
        value.forEach((item, i) => {
          if (!isObject(item)) fail(`${path}.AND.${i}`, 'must be an object');
          takeScope(item, `${path}.AND.${i}`);
        });
      } else {
        rest.push(translateNode({ [key]: value }, path));
      }
    }
  };
  if (filters !== undefined) takeScope(filters, 'filters');
  if (extras.metadata !== undefined) rest.push(translateNode({ metadata: extras.metadata }, 'metadata'));
  // Mem0's `categories` option: memories in any of them (here the metadata's `categories` list).
  if (extras.categories?.length)
    rest.push({ OR: extras.categories.map((c) => ({ [FIELDS.categories]: { contains: c } })) });
  return { scope, filters: rest.length === 0 ? undefined : rest.length === 1 ? rest[0] : { AND: rest } };
}

function translateNode(node: unknown, path: string): Record<string, unknown> {
  if (!isObject(node)) fail(path, 'must be an object');
  const parts: Record<string, unknown>[] = [];
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    if (key === 'AND' || key === 'OR') {
      if (!Array.isArray(value) || value.length === 0) fail(here, 'must be a non-empty array of filters');
      parts.push({ [key]: value.map((v, i) => translateNode(v, `${here}.${i}`)) });
    } else if (key === 'NOT') {
      // Mem0 writes NOT over a list (none of them), ours over one filter.
      const inner = Array.isArray(value)
        ? value.length === 0
          ? fail(here, 'must not be empty')
          : { OR: value.map((v, i) => translateNode(v, `${here}.${i}`)) }
        : translateNode(value, here);
      parts.push({ NOT: inner });
    } else if (key === 'metadata') {
      if (!isObject(value) || Object.keys(value).length === 0)
        fail(here, 'must be a non-empty object of metadata keys');
      for (const [name, spec] of Object.entries(value))
        parts.push({ [`metadata.${name}`]: translateCondition(spec, `${here}.${name}`) });
    } else if (key === 'memory_ids' || key === 'id') {
      throw new Mem0Error(
        Mem0ErrorCode.Unsupported,
        `${here}: filtering by memory id is not supported; get each memory by its id`,
      );
    } else {
      const field = Object.hasOwn(FIELDS, key) ? FIELDS[key] : undefined;
      if (!field)
        fail(
          here,
          `unknown field (use ${Object.keys(FIELDS).join(', ')}, metadata, or AND / OR / NOT over a list of filters)`,
        );
      parts.push({ [field]: translateCondition(value, here) });
    }
  }
  if (parts.length === 0) fail(path, 'is empty');
  return parts.length === 1 ? parts[0] : { AND: parts };
}

/** A value (equality), `"*"` (any value) or `{operator: value}`. */
function translateCondition(spec: unknown, path: string): unknown {
  if (spec === '*') return { ne: null };
  if (!isObject(spec)) return spec;
  const ops = Object.entries(spec);
  if (ops.length === 0) fail(path, 'names no operator');
  return Object.fromEntries(
    ops.map(([op, value]) => {
      const ours = Object.hasOwn(OPERATORS, op) ? OPERATORS[op] : undefined;
      if (!ours) fail(`${path}.${op}`, `unknown operator (use ${Object.keys(OPERATORS).join(', ')})`);
      return [ours, value];
    }),
  );
}
