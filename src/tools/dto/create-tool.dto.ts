import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const TOOL_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const TOOL_NAME_MESSAGE =
  'name must be a function name: a letter or underscore, then letters, digits or underscores (at most 64)';
export const TAG = /^[^\s,][^,]{0,63}$/;
/** A host name, `*.` and a domain, or host:port; no scheme, no path. */
export const ALLOWED_HOST = /^(\*\.)?[A-Za-z0-9.-]{1,253}(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;
export const MAX_SOURCE_CHARS = 200_000;
export const DEFAULT_TIMEOUT_MS = 5000;
export const MAX_TIMEOUT_MS = 60_000;
export const DEFAULT_MEMORY_LIMIT_MB = 64;
export const MIN_MEMORY_LIMIT_MB = 8;
export const MAX_MEMORY_LIMIT_MB = 256;

/** A new tool of the registry. */
export class CreateToolDto {
  /** What the model calls it; unique in the organization. @example "add" */
  @IsString()
  @Matches(TOOL_NAME, { message: TOOL_NAME_MESSAGE })
  name: string;

  /** Tells the model what the tool does and when to use it. @example "Adds two numbers" */
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description: string;

  /**
   * JSON Schema (draft-07) of the tool's one object argument; checked as a schema.
   * @example {"type":"object","properties":{"a":{"type":"number"},"b":{"type":"number"}},"required":["a","b"]}
   */
  @IsObject()
  parameters: Record<string, unknown>;

  /**
   * JavaScript: either the body of `async function (args) { … }` (e.g. `return args.a + args.b`),
   * or an ES module exporting one function (its default export, or its only exported function),
   * which is called with the arguments object. No imports, no require, process, filesystem or network
   * (`fetch` exists only for `allowedHosts`). Timers live only as long as the call.
   * @example "return args.a + args.b"
   */
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_SOURCE_CHARS)
  sourceCode: string;

  /** Labels to find tools by (`GET /tools?tags=a,b&match=any|all`). @example ["math"] */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each of tags must be 1-64 characters without commas or leading spaces' })
  tags?: string[];

  /** Wall-clock limit of one run in milliseconds (default 5000, at most 60000). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_MS)
  timeoutMs?: number;

  /** Heap limit of the run's isolate in MB (default 64, 8 to 256). */
  @IsOptional()
  @IsInt()
  @Min(MIN_MEMORY_LIMIT_MB)
  @Max(MAX_MEMORY_LIMIT_MB)
  memoryLimitMb?: number;

  /**
   * Hosts the tool may reach with `fetch` (`api.example.com`, `*.example.com`, `localhost:8080`).
   * Empty (the default): the tool has no `fetch`. Redirects are not followed; bodies are capped at 1 MB.
   */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ALLOWED_HOST, {
    each: true,
    message: 'each of allowedHosts must be a host name, *.domain, or host:port (no scheme or path)',
  })
  allowedHosts?: string[];

  /**
   * Values the tool reads as `env.NAME` (API keys for its `fetch`): at most 20, names like
   * environment variables, values up to 4,096 characters. Stored encrypted and never returned
   * (responses list `secretNames`); the result, console output and errors show `[secret NAME]`
   * instead. The names `constructor` and `__proto__` are not available.
   * @example {"WEATHER_API_KEY":"sk-..."}
   */
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string>;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
