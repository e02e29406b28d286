import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { RE2JS } from 're2js';
import { ToolError, ToolErrorCode } from './tools.errors.js';

// ajv-formats is CommonJS: under Node's ESM loader its function is the `default` of the default import.
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats =
  (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** Largest parameters schema, as JSON. */
export const SCHEMA_LIMIT_BYTES = 64 * 1024;
const CACHE_SIZE = 500;

/**
 * `pattern` and `patternProperties` run in the API process: a tool's schema must not be able to
 * stall it with a backtracking regex (`^(a|a)*$`), so they run on RE2JS, which matches in linear
 * time (and refuses backreferences and lookaround, as RE2 does).
 */
function linearRegExp(pattern: string): { test(input: string): boolean; toString(): string } {
  const compiled = RE2JS.compile(pattern);
  return { test: (input: string) => compiled.test(input), toString: () => `/${pattern}/` };
}
linearRegExp.code = 'linearRegExp';

/** Keywords whose values are data, not schemas. */
const DATA_KEYWORDS = new Set(['default', 'examples', 'const', 'enum']);

/** Keywords whose values map names to schemas. */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs', 'dependentSchemas']);

/**
 * `$id` and `$ref` outside the schema would reach schemas of other tools if ajv ever held them:
 * a tool's schema must stand alone. `names`: the node's keys are property names, not keywords.
 */
function foreignReference(node: unknown, path: string, names = false): string | null {
  if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) {
      const found = foreignReference(node[i], `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (typeof node !== 'object' || node === null) return null;
  for (const [key, value] of Object.entries(node)) {
    if (!names) {
      if (DATA_KEYWORDS.has(key)) continue;
      if ((key === '$id' || key === '$anchor' || key === '$dynamicAnchor') && typeof value === 'string')
        return `${path}.${key} is not allowed: a tool's schema stands alone`;
      if ((key === '$ref' || key === '$dynamicRef') && typeof value === 'string' && !value.startsWith('#'))
        return `${path}.${key} must point inside the schema (start with #)`;
    }
    const found = foreignReference(value, `${path}.${key}`, !names && SCHEMA_MAPS.has(key));
    if (found) return found;
  }
  return null;
}

/**
 * Tool parameters are JSON Schema draft-07 (what function calling speaks): a schema is checked
 * against the meta-schema and compiled when a tool is saved, and arguments are checked against
 * it before any code runs. Compiled validators are cached by tool id and version.
 */
export class ToolSchema {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, { schema: Record<string, unknown>; validate: ValidateFunction }>();

  constructor() {
    // strict: false lets schemas carry the keywords of other tools (examples, x-…) without failing;
    // useDefaults fills in the schema's defaults before the tool sees its arguments;
    // addUsedSchema: false keeps one tool's schema out of ajv's registry (each is removed after use).
    this.ajv = new Ajv({
      strict: false,
      allErrors: false,
      useDefaults: true,
      validateSchema: true,
      addUsedSchema: false,
      code: { regExp: linearRegExp },
    });
    addFormats(this.ajv);
  }

  /** Throws a 400 saying what is wrong with a parameters schema. */
  check(schema: unknown, field = 'parameters'): void {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema))
      throw invalid(`${field} must be a JSON Schema object`);
    const size = Buffer.byteLength(JSON.stringify(schema));
    if (size > SCHEMA_LIMIT_BYTES) throw invalid(`${field} is ${size} bytes of JSON; at most ${SCHEMA_LIMIT_BYTES}`);
    const s = schema as Record<string, unknown>;
    if (s.type !== 'object') throw invalid(`${field}.type must be "object": a tool takes its arguments as one object`);
    if (!this.ajv.validateSchema(s))
      throw invalid(`${field} is not a valid JSON Schema: ${describe(this.ajv.errors ?? [], field)}`);
    const foreign = foreignReference(s, field);
    if (foreign) throw invalid(foreign);
    try {
      this.ajv.compile(s);
    } catch (error) {
      throw invalid(`${field} cannot be compiled: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      this.ajv.removeSchema(s);
    }
  }

  /** Checks (and completes with defaults) a tool's arguments; throws a 400 naming the field. */
  validate(key: string, schema: Record<string, unknown>, args: unknown): void {
    let validate = this.compiled.get(key)?.validate;
    if (!validate) {
      validate = this.ajv.compile(schema);
      if (this.compiled.size >= CACHE_SIZE) {
        const [oldest, entry] = this.compiled.entries().next().value as [string, { schema: Record<string, unknown> }];
        this.ajv.removeSchema(entry.schema);
        this.compiled.delete(oldest);
      }
      this.compiled.set(key, { schema, validate });
    }
    if (!validate(args))
      throw new ToolError(ToolErrorCode.InvalidArguments, describe(validate.errors ?? [], 'args'), {
        errors: validate.errors,
      });
  }

  /** The same check for the agent loop: the message the model reads, or null. */
  problem(key: string, schema: Record<string, unknown>, args: unknown): string | null {
    try {
      this.validate(key, schema, args);
      return null;
    } catch (error) {
      if (error instanceof ToolError) return error.message;
      throw error;
    }
  }
}

function invalid(message: string): ToolError {
  return new ToolError(ToolErrorCode.InvalidInput, message);
}

/** The first error as `args.a.b must be number`, naming the field by its path. */
function describe(errors: ErrorObject[], root: string): string {
  const e = errors[0];
  if (!e) return `${root} is invalid`;
  const path =
    root +
    e.instancePath
      .split('/')
      .slice(1)
      .map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`))
      .join('');
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return `${path}.${String(params.missingProperty)} is required`;
    case 'additionalProperties':
      return `${path}.${String(params.additionalProperty)} is not an allowed property`;
    default:
      return `${path} ${e.message ?? 'is invalid'}`;
  }
}
