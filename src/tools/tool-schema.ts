import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { ToolError, ToolErrorCode } from './tools.errors.js';

// ajv-formats is CommonJS: under Node's ESM loader its function is the `default` of the default import.
type AddFormats = typeof addFormatsModule.default;
const addFormats: AddFormats = (addFormatsModule as unknown as { default?: AddFormats }).default ?? (addFormatsModule as unknown as AddFormats);

/** Largest parameters schema, as JSON. */
export const SCHEMA_LIMIT_BYTES = 64 * 1024;
const CACHE_SIZE = 500;

/**
 * Tool parameters are JSON Schema draft-07 (what function calling speaks): a schema is checked
 * against the meta-schema and compiled when a tool is saved, and arguments are checked against
 * it before any code runs. Compiled validators are cached by tool id and version.
 */
export class ToolSchema {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor() {
    // strict: false lets schemas carry the keywords of other tools (examples, x-…) without failing;
    // useDefaults fills in the schema's defaults before the tool sees its arguments.
    this.ajv = new Ajv({ strict: false, allErrors: false, useDefaults: true, validateSchema: true });
    addFormats(this.ajv);
  }

  /** Throws a 400 saying what is wrong with a parameters schema. */
  check(schema: unknown, field = 'parameters'): void {
    if (typeof schema !== 'object' || schema === null || Array.isArray(schema)) throw invalid(`${field} must be a JSON Schema object`);
    const size = Buffer.byteLength(JSON.stringify(schema));
    if (size > SCHEMA_LIMIT_BYTES) throw invalid(`${field} is ${size} bytes of JSON; at most ${SCHEMA_LIMIT_BYTES}`);
    const s = schema as Record<string, unknown>;
    if (s.type !== 'object') throw invalid(`${field}.type must be "object": a tool takes its arguments as one object`);
    if (!this.ajv.validateSchema(s)) throw invalid(`${field} is not a valid JSON Schema: ${describe(this.ajv.errors ?? [], field)}`);
    try {
      this.ajv.compile(s);
    } catch (error) {
      throw invalid(`${field} cannot be compiled: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  /** Checks (and completes with defaults) a tool's arguments; throws a 400 naming the field. */
  validate(key: string, schema: Record<string, unknown>, args: unknown): void {
    let validate = this.compiled.get(key);
    if (!validate) {
      validate = this.ajv.compile(schema);
      if (this.compiled.size >= CACHE_SIZE) this.compiled.delete(this.compiled.keys().next().value as string);
      this.compiled.set(key, validate);
    }
    if (!validate(args)) throw new ToolError(ToolErrorCode.InvalidArguments, describe(validate.errors ?? [], 'args'), { errors: validate.errors });
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
  const path = root + e.instancePath.split('/').slice(1).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p.replace(/~1/g, '/').replace(/~0/g, '~')}`)).join('');
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
