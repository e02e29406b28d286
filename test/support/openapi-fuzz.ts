import fc from 'fast-check';

/** The parts of an OpenAPI 3 document the fuzzer reads. */
export interface SchemaObject {
  $ref?: string;
  type?: string;
  format?: string;
  enum?: unknown[];
  properties?: Record<string, SchemaObject>;
  required?: string[];
  items?: SchemaObject;
  additionalProperties?: boolean | SchemaObject;
  allOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  example?: unknown;
}
interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: SchemaObject;
}
interface OperationObject {
  operationId?: string;
  parameters?: ParameterObject[];
  requestBody?: { content: Record<string, { schema: SchemaObject }> };
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, SchemaObject> };
}

export interface Operation {
  method: string;
  /** The path template, e.g. `/api/v1/agents/{id}/blocks/{label}`. */
  path: string;
  pathParams: string[];
  query: ParameterObject[];
  body?: { mediaType: string; schema: SchemaObject };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the document: a route added to the API is fuzzed without touching a test. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      const params = op.parameters ?? [];
      const content = op.requestBody?.content;
      const mediaType = content ? Object.keys(content)[0] : undefined;
      out.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query'),
        body: mediaType && content ? { mediaType, schema: content[mediaType].schema } : undefined,
      });
    }
  }
  return out;
}

/** Stands for a value nested 10,000 levels deep, spliced into the JSON text after serializing. */
export const DEEP_MARKER = '\u0001deep\u0001';
const DEEP_JSON = '{"a":'.repeat(10_000) + '1' + '}'.repeat(10_000);
const DEEP_ARRAY_JSON = '['.repeat(5_000) + ']'.repeat(5_000);

/** Serializes a generated body; the deep marker becomes 10,000 levels of nesting. */
export function serialize(value: unknown): string {
  const text = JSON.stringify(value) ?? 'null';
  const marker = JSON.stringify(DEEP_MARKER);
  return text.includes(marker) ? text.split(marker).join(Math.random() < 0.5 ? DEEP_JSON : DEEP_ARRAY_JSON) : text;
}

/**
 * Strings that broke servers before: NUL, lone surrogates, dates that `Date.parse` takes but
 * PostgreSQL refuses, huge and tiny numbers as text, SQL and path fragments, prototype keys.
 */
const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00y',
  '\uffff',
  '\u202e',
  'Feb 30 2020',
  '0',
  '-1',
  'March 7 2020 (hello)',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00.000Z',
  '2020-02-30T00:00:00Z',
  '0000-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2026-13-01',
  '1e999',
  'NaN',
  'null',
  'true',
  '__proto__',
  'constructor',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '"; DROP TABLE memories; --',
  '%00',
  '%s%s%n',
  '<script>alert(1)</script>',
  '$1',
  '{}',
  '[]',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'am_' + 'x'.repeat(40),
  'x'.repeat(5_000),
];
/** The strings that reach a database or a parser unchecked most often: one is put in every field at once. */
export const POISON_STRINGS = [
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udc00',
  'Feb 30 2020',
  '0',
  '+275760-09-13T00:00:00.000Z',
  'March 7 2020 (hello)',
  '0000-01-01T00:00:00Z',
  '2020-02-30T00:00:00Z',
  '',
  'x'.repeat(5_000),
];
const NASTY_NUMBERS = [0, -1, -0.5, 1.5, 2 ** 31, 2 ** 53 + 1, -(2 ** 63), 1e308, -1e308, 5e-324, 100000];

/** A value of any JSON type that no field expects: wrong types, extremes, deep nesting. */
export function hostileValue(): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom<unknown>(...NASTY_STRINGS) },
    { weight: 2, arbitrary: fc.constantFrom<unknown>(...NASTY_NUMBERS) },
    {
      weight: 2,
      arbitrary: fc.constantFrom<unknown>(null, true, false, [], {}, [null], { '': null }, { __proto__: 1 }),
    },
    { weight: 1, arbitrary: fc.constant(DEEP_MARKER) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
    {
      weight: 1,
      arbitrary: fc.array(fc.constantFrom<unknown>('\u0000', '\ud800', null, 1), { minLength: 1, maxLength: 3 }),
    },
  );
}

export class SchemaArbitraries {
  constructor(private readonly doc: OpenApiDocument) {}

  resolve(schema: SchemaObject): SchemaObject {
    let s = schema;
    for (let i = 0; s.$ref && i < 20; i += 1) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = this.doc.components?.schemas?.[name] ?? {};
    }
    if (s.allOf?.length) {
      return s.allOf
        .map((p) => this.resolve(p))
        .reduce<SchemaObject>(
          (acc, p) => ({
            ...acc,
            ...p,
            properties: { ...acc.properties, ...p.properties },
            required: [...(acc.required ?? []), ...(p.required ?? [])],
          }),
          {},
        );
    }
    return s;
  }

  /** A value close to what the schema wants (so requests get past the first check) or a hostile one. */
  value(schema: SchemaObject, depth = 0): fc.Arbitrary<unknown> {
    return fc.oneof({ weight: 3, arbitrary: this.plausible(schema, depth) }, { weight: 1, arbitrary: hostileValue() });
  }

  /**
   * A value the schema should accept, built from its examples: the required fields and those
   * with an example (so `content` or `messages`, not both), enums' first value, formats' samples.
   */
  example(schema: SchemaObject, depth = 0): unknown {
    const s = this.resolve(schema);
    if (s.example !== undefined) return s.example;
    if (s.enum?.length) return s.enum[0];
    const variants = s.oneOf ?? s.anyOf;
    if (variants?.length) return this.example(variants[0], depth);
    switch (s.type ?? (s.properties ? 'object' : undefined)) {
      case 'string':
        return s.format === 'date-time'
          ? '2026-01-01T00:00:00Z'
          : s.format === 'uuid'
            ? '00000000-0000-4000-8000-000000000000'
            : 'x'.repeat(Math.max(1, s.minLength ?? 1));
      case 'integer':
      case 'number':
        return s.minimum ?? 1;
      case 'boolean':
        return false;
      case 'array':
        return [];
      default: {
        if (depth > 4) return {};
        const out: Record<string, unknown> = {};
        for (const [k, p] of Object.entries(s.properties ?? {})) {
          const prop = this.resolve(p);
          if (s.required?.includes(k) || prop.example !== undefined) out[k] = this.example(p, depth + 1);
        }
        return out;
      }
    }
  }

  /** Where a value can be put in a body of this schema: its fields (nested ones dotted) and the example's. */
  fieldPaths(schema: SchemaObject, base: unknown): string[][] {
    const paths = new Map<string, string[]>();
    const walkSchema = (sc: SchemaObject, prefix: string[], depth: number) => {
      const s = this.resolve(sc);
      if (depth > 3) return;
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        const here = [...prefix, k];
        paths.set(here.join('\u0001'), here);
        const inner = this.resolve(p);
        if (inner.type === 'array' && inner.items) walkSchema(inner.items, [...here, '0'], depth + 1);
        else walkSchema(inner, here, depth + 1);
      }
    };
    const walkValue = (v: unknown, prefix: string[], depth: number) => {
      if (typeof v !== 'object' || v === null || depth > 6) return;
      for (const [k, child] of Object.entries(v)) {
        const here = [...prefix, k];
        paths.set(here.join('\u0001'), here);
        walkValue(child, here, depth + 1);
      }
    };
    walkSchema(schema, [], 0);
    walkValue(base, [], 0);
    return [...paths.values()];
  }

  /** A valid body with exactly one field replaced by a hostile value: reaches the code behind validation. */
  mutated(schema: SchemaObject): fc.Arbitrary<unknown> {
    const base = this.example(schema);
    const paths = this.fieldPaths(schema, base);
    if (paths.length === 0) return fc.constant(base);
    return fc
      .tuple(
        fc.constantFrom(...paths),
        fc.oneof({ weight: 3, arbitrary: hostileValue() }, { weight: 1, arbitrary: fc.constant(null) }),
      )
      .map(([path, value]) => setAt(base, path, value));
  }

  /**
   * A valid body whose every string (the example's, at any depth, and the schema's top-level
   * text fields) is `text`: one NUL or impossible date then reaches whichever field a route
   * stores or parses without validating it.
   */
  everyString(schema: SchemaObject, text: string): unknown {
    const s = this.resolve(schema);
    const replace = (v: unknown): unknown => {
      if (typeof v === 'string') return text;
      if (Array.isArray(v)) return v.map(replace);
      if (typeof v === 'object' && v !== null)
        return Object.fromEntries(Object.entries(v).map(([k, c]) => [k, replace(c)]));
      return v;
    };
    const out = replace(this.example(schema)) as Record<string, unknown>;
    if (typeof out !== 'object' || out === null) return out;
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      const prop = this.resolve(p);
      if (prop.type === 'string' && !prop.enum) out[k] = text;
    }
    return out;
  }

  /** A body whose every field is null (what a PATCH of required columns must refuse). */
  nulls(schema: SchemaObject): Record<string, null> {
    return Object.fromEntries(Object.keys(this.resolve(schema).properties ?? {}).map((k) => [k, null]));
  }

  /** Values of the schema's own type, at and beyond its bounds. */
  plausible(schema: SchemaObject, depth = 0): fc.Arbitrary<unknown> {
    const s = this.resolve(schema);
    const variants = s.oneOf ?? s.anyOf;
    if (variants?.length) return fc.oneof(...variants.map((v) => this.value(v, depth)));
    if (s.enum?.length)
      return fc.oneof(
        { weight: 4, arbitrary: fc.constantFrom(...s.enum) },
        { weight: 1, arbitrary: fc.string({ maxLength: 10 }) },
      );
    const type = s.type ?? (s.properties ? 'object' : undefined);
    switch (type) {
      case 'string':
        return this.string(s);
      case 'integer':
      case 'number': {
        const min = s.minimum ?? -1000;
        const max = s.maximum ?? 1000;
        return fc.oneof(
          fc.integer({ min: Math.floor(min), max: Math.ceil(max) }),
          fc.constantFrom(min - 1, max + 1, min, max, (min + max) / 2 + 0.5),
          fc.double({ noNaN: true, noDefaultInfinity: true }),
        );
      }
      case 'boolean':
        return fc.oneof(
          { weight: 4, arbitrary: fc.boolean() },
          { weight: 1, arbitrary: fc.constantFrom<unknown>('true', 1, 0) },
        );
      case 'array': {
        if (depth > 4) return fc.constant([]);
        const items = s.items ?? {};
        return fc.oneof(
          { weight: 4, arbitrary: fc.array(this.value(items, depth + 1), { maxLength: 4 }) },
          {
            weight: 1,
            arbitrary: fc.constant(
              Array.from({ length: (s.maxItems ?? 100) + 1 }, () => (items.type === 'string' ? 'x' : {})),
            ),
          },
        );
      }
      case 'object':
      default:
        return this.object(s, depth);
    }
  }

  private string(s: SchemaObject): fc.Arbitrary<unknown> {
    const max = s.maxLength ?? 50;
    const plain =
      s.format === 'date-time'
        ? fc.oneof(
            fc
              .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
              .map((d) => d.toISOString()),
            fc.constantFrom('2026-02-29T00:00:00Z', '2026-01-01', '2026-01-01T00:00:00+01:00'),
          )
        : s.format === 'uuid'
          ? fc.uuid()
          : s.format === 'email'
            ? fc.emailAddress()
            : fc.string({ minLength: s.minLength ?? 0, maxLength: Math.min(max, 40) });
    return fc.oneof(
      { weight: 5, arbitrary: s.example !== undefined ? fc.oneof(fc.constant(s.example), plain) : plain },
      { weight: 1, arbitrary: fc.constant('x'.repeat(max + 1)) },
      { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
    );
  }

  private object(s: SchemaObject, depth: number): fc.Arbitrary<unknown> {
    if (depth > 4) return fc.constant({});
    const props = s.properties ?? {};
    const keys = Object.keys(props);
    const free = s.additionalProperties !== undefined && s.additionalProperties !== false;
    const known =
      keys.length > 0
        ? fc.record(Object.fromEntries(keys.map((k) => [k, this.value(props[k], depth + 1)])), { requiredKeys: [] })
        : fc.constant({});
    const extra = free
      ? fc.dictionary(
          fc.oneof(
            fc.string({ maxLength: 12 }),
            fc.constantFrom('AND', 'OR', 'NOT', 'createdAt', 'expiresAt', 'importance', 'a.b', '__proto__'),
          ),
          this.filterish(depth + 1),
          { maxKeys: 4 },
        )
      : fc.oneof(
          { weight: 5, arbitrary: fc.constant({}) },
          { weight: 1, arbitrary: fc.dictionary(fc.string({ maxLength: 8 }), hostileValue(), { maxKeys: 2 }) },
        );
    return fc.tuple(known, extra).map(([k, e]) => ({ ...e, ...k }));
  }

  /** Values for free-form objects (metadata, filters, tool parameters): filter-language shapes too. */
  private filterish(depth: number): fc.Arbitrary<unknown> {
    if (depth > 6) return hostileValue();
    const operator = fc.constantFrom('eq', 'ne', 'in', 'nin', 'gt', 'gte', 'lt', 'lte', 'contains', 'like', 'type');
    return fc.oneof(
      { weight: 2, arbitrary: hostileValue() },
      { weight: 2, arbitrary: fc.dictionary(operator, hostileValue(), { minKeys: 1, maxKeys: 2 }) },
      {
        weight: 1,
        arbitrary: fc.array(
          fc.dictionary(
            fc.constantFrom('createdAt', 'topic', 'AND', 'OR', 'NOT', 'importance'),
            fc.oneof(hostileValue(), fc.dictionary(operator, hostileValue(), { maxKeys: 1 })),
            { maxKeys: 2 },
          ),
          { maxLength: 3 },
        ),
      },
    );
  }
}

/** A copy of `base` with `value` at `path`, creating objects (or arrays, for numeric keys) on the way. */
export function setAt(base: unknown, path: string[], value: unknown): unknown {
  const root: unknown = structuredClone(base ?? {});
  let node = root as Record<string, unknown>;
  for (let i = 0; i < path.length - 1; i += 1) {
    const key = path[i];
    const next = node[key];
    if (typeof next !== 'object' || next === null) node[key] = /^\d+$/.test(path[i + 1]) ? [] : {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1]] = value;
  return root;
}
