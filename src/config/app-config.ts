import 'reflect-metadata';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  getMetadataStorage,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() !== '' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
const emptyToUndefined = ({ value }: { value: unknown }) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Decorators applied in order to one property. */
const all =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, key) => {
    for (const decorate of decorators) decorate(target, key);
  };

/** An integer variable, at least `min` (and at most `max`). */
const IntEnv = (min: number, max?: number): PropertyDecorator =>
  all(Transform(toInt), IsInt(), Min(min), ...(max === undefined ? [] : [Max(max)]));

/** A boolean variable: true/1/yes/on or false/0/no/off. */
const BoolEnv = (): PropertyDecorator => all(Transform(toBool), IsBoolean());

/** A variable that may be unset (an empty value counts as unset); the decorators below it check it when set. */
const OptionalEnv = (): PropertyDecorator => all(Transform(emptyToUndefined), IsOptional());

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const VECTOR_EXTENSION_MODES = ['auto', 'require', 'off'] as const;
export const LLM_PROVIDERS = ['none', 'openai', 'openai-compatible', 'anthropic', 'google'] as const;
export type LlmProvider = (typeof LLM_PROVIDERS)[number];
export const EMBEDDING_PROVIDERS = ['local', 'openai', 'openai-compatible', 'google'] as const;
export type EmbeddingProvider = (typeof EMBEDDING_PROVIDERS)[number];
export const SEARCH_MODES = ['hybrid', 'vector', 'text'] as const;
export type SearchMode = (typeof SEARCH_MODES)[number];
export const JOBS_BACKENDS = ['auto', 'redis', 'postgres', 'inline'] as const;
export type JobsBackendSetting = (typeof JOBS_BACKENDS)[number];
export type VectorExtensionMode = (typeof VECTOR_EXTENSION_MODES)[number];

/**
 * Every setting of the server, read from the environment once at boot and validated; a wrong
 * value stops the start with a message naming the variable. Nothing else reads process.env.
 * README's configuration table lists each of these with its default.
 */
export class AppConfig {
  @IsIn(['development', 'production', 'test'])
  NODE_ENV: 'development' | 'production' | 'test' = 'development';

  @IntEnv(0, 65535)
  PORT = 3000;

  @IsString()
  HOST = '0.0.0.0';

  /** Embedded mode: where PGlite keeps its files and the generated JWT secret. */
  @IsString()
  @MinLength(1)
  DATA_DIR = './data';

  /** PostgreSQL 15+ connection string; unset means the embedded PGlite database. */
  @OptionalEnv()
  @Matches(/^postgres(ql)?:\/\//, { message: 'DATABASE_URL must start with postgres:// or postgresql://' })
  DATABASE_URL?: string;

  @IntEnv(1, 200)
  DATABASE_POOL_SIZE = 10;

  /** pgvector: auto (use it when the server has it, warn otherwise), require (fail without), off. */
  @IsIn(VECTOR_EXTENSION_MODES)
  VECTOR_EXTENSION: VectorExtensionMode = 'auto';

  @OptionalEnv()
  @Matches(/^rediss?:\/\//, { message: 'REDIS_URL must start with redis:// or rediss://' })
  REDIS_URL?: string;

  /** HMAC secret for access tokens; required with DATABASE_URL, generated into DATA_DIR otherwise. */
  @OptionalEnv()
  @IsString()
  @MinLength(32, { message: 'JWT_SECRET must be at least 32 characters long' })
  JWT_SECRET?: string;

  @IntEnv(10, 86400)
  JWT_ACCESS_TTL_SECONDS = 900;

  @IntEnv(60, 31536000)
  REFRESH_TOKEN_TTL_SECONDS = 2592000;

  @BoolEnv()
  REGISTRATION_ENABLED = true;

  /** Serve the web console (console/dist, built by `npm run build`) at /console. */
  @BoolEnv()
  CONSOLE_ENABLED = true;

  /** Comma-separated allowed origins, or * for any. */
  @IsString()
  CORS_ORIGINS = '*';

  @Matches(/^\d+(b|kb|mb)$/i, { message: 'BODY_LIMIT must look like 512kb or 1mb' })
  BODY_LIMIT = '1mb';

  @IntEnv(1)
  AUTH_RATE_LIMIT_PER_MINUTE = 30;

  /** Requests per minute of each API key (of each user for JWT callers); 0 = no limit. */
  @IntEnv(0)
  RATE_LIMIT_PER_MINUTE = 0;

  /** Requests per minute of an organization (all its keys and users) whose own limit is not set; 0 = no limit. */
  @IntEnv(0)
  ORG_RATE_LIMIT_PER_MINUTE = 0;

  /** Sandboxed tool runs per minute of an organization whose own limit is not set; 0 = no limit. */
  @IntEnv(0)
  ORG_TOOL_RUNS_PER_MINUTE = 0;

  /** Memories an organization whose own limit is not set may store; 0 = no limit. */
  @IntEnv(0)
  ORG_MEMORIES_LIMIT = 0;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** OTLP/HTTP endpoint of a trace collector (`http://collector:4318`); tracing is off when unset. */
  @OptionalEnv()
  @Matches(/^https?:\/\//, { message: 'OTEL_EXPORTER_OTLP_ENDPOINT must start with http:// or https://' })
  OTEL_EXPORTER_OTLP_ENDPOINT?: string;

  /** The `service.name` of the spans (default `agentmem-api`, or `agentmem-worker` for the worker). */
  @OptionalEnv()
  @IsString()
  @MaxLength(200)
  OTEL_SERVICE_NAME?: string;

  /** Share of new traces recorded (0–1); a trace begun upstream follows its caller's decision. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)) ? Number(value) : value,
  )
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  OTEL_TRACES_SAMPLE_RATIO = 1;

  @BoolEnv()
  TRUST_PROXY = false;

  @IntEnv(0, 600000)
  SHUTDOWN_TIMEOUT_MS = 10000;

  @IsString()
  @MaxLength(200)
  DOCS_PATH = 'docs';

  /** Chat model for memory extraction (and agents): none, openai, openai-compatible, anthropic, google. */
  @IsIn(LLM_PROVIDERS)
  LLM_PROVIDER: LlmProvider = 'none';

  @OptionalEnv()
  @IsString()
  LLM_MODEL?: string;

  /** Base URL of an OpenAI-compatible server (Ollama, vLLM, LM Studio...), or a proxy. */
  @OptionalEnv()
  @Matches(/^https?:\/\//, { message: 'LLM_BASE_URL must start with http:// or https://' })
  LLM_BASE_URL?: string;

  @OptionalEnv()
  @IsString()
  LLM_API_KEY?: string;

  @IntEnv(1000, 600000)
  LLM_TIMEOUT_MS = 60000;

  /** Extra providers an agent may name in its model settings besides LLM_PROVIDER (their API keys). */
  @OptionalEnv()
  @IsString()
  OPENAI_API_KEY?: string;

  @OptionalEnv()
  @IsString()
  ANTHROPIC_API_KEY?: string;

  @OptionalEnv()
  @IsString()
  GOOGLE_API_KEY?: string;

  /** Context window (tokens) of an agent that does not set its own. */
  @IntEnv(1024, 10000000)
  AGENT_CONTEXT_WINDOW = 32000;

  /** Reply tokens reserved in the window (and the model's maxTokens) when the agent does not set maxTokens. */
  @IntEnv(16, 1000000)
  AGENT_MAX_TOKENS = 1024;

  /** Tool rounds of one agent turn when the agent does not set maxSteps. */
  @IntEnv(1, 50)
  AGENT_MAX_STEPS = 8;

  /** How many memories of the user's scope each turn puts in the prompt (0: none). */
  @IntEnv(0, 50)
  AGENT_CONTEXT_MEMORIES = 5;

  /** How long a turn waits for another turn of the same agent and user before answering 409. */
  @IntEnv(100, 3600000)
  AGENT_TURN_WAIT_MS = 120000;

  /** Tool runs at once: each runs in its own sandbox process (a V8 isolate per run). */
  @IntEnv(1, 64)
  TOOLS_CONCURRENCY = 2;

  /** Tool runs that may wait for a free sandbox; one more is answered 429. */
  @IntEnv(0, 100000)
  TOOLS_QUEUE_MAX = 100;

  /** Let tools' fetch reach private addresses (loopback, 10/8, 172.16/12, 192.168/16, link-local such as cloud metadata): only for trusted tool authors. */
  @BoolEnv()
  TOOLS_FETCH_PRIVATE_NETWORKS = false;

  /** Days a tool run's record is kept (0 = forever); the maintenance job prunes older ones. */
  @IntEnv(0)
  TOOL_RUN_RETENTION_DAYS = 30;

  /** Let webhooks reach private addresses (loopback, private networks, link-local) and plain http: for development only. */
  @BoolEnv()
  WEBHOOKS_ALLOW_PRIVATE_NETWORKS = false;

  /** Attempts per webhook delivery (more than JOBS_ATTEMPTS: receivers go down for longer than a job's dependencies). */
  @IntEnv(1, 30)
  WEBHOOKS_ATTEMPTS = 8;

  /** Delay before a delivery's first retry; each next one doubles it. */
  @IntEnv(10, 3600000)
  WEBHOOKS_BACKOFF_MS = 30000;

  /** How long one delivery attempt may take (connect, send, the receiver's answer). */
  @IntEnv(100, 120000)
  WEBHOOKS_TIMEOUT_MS = 10000;

  /** Days a delivery attempt's log row is kept (0 = forever); the maintenance job prunes older ones. */
  @IntEnv(0)
  WEBHOOKS_DELIVERY_RETENTION_DAYS = 30;

  /** local: built into the server (no network); or a provider's embedding API. */
  @IsIn(EMBEDDING_PROVIDERS)
  EMBEDDING_PROVIDER: EmbeddingProvider = 'local';

  @OptionalEnv()
  @IsString()
  EMBEDDING_MODEL?: string;

  /** Vector size; fixed per installation (changing it needs `npm run reembed`). */
  @IntEnv(8, 4096)
  EMBEDDING_DIMENSIONS = 384;

  @OptionalEnv()
  @Matches(/^https?:\/\//, { message: 'EMBEDDING_BASE_URL must start with http:// or https://' })
  EMBEDDING_BASE_URL?: string;

  /** local provider: a folder with an ONNX sentence-embedding model (transformers.js layout), used offline. */
  @OptionalEnv()
  @IsString()
  EMBEDDING_MODEL_PATH?: string;

  @OptionalEnv()
  @IsString()
  EMBEDDING_API_KEY?: string;

  /**
   * Adds without a runId to the same scope within this many minutes of each other are turns of
   * one conversation: each is the other's neighbouring context for full-text search, as turns
   * of a run are. 0 turns it off.
   */
  @IntEnv(0, 10080)
  MEMORY_SESSION_GAP_MINUTES = 30;

  /**
   * How long a process trusts a credential it has checked (API key or access token) before it
   * reads the database again; a revocation or a change of the user ends it at once on every
   * replica (by an event), this bounds it should that event be lost. 0 reads the database on
   * every request.
   */
  @IntEnv(0, 3600)
  CREDENTIAL_CACHE_SECONDS = 10;

  /**
   * Megabytes of vectors each process keeps in memory, by text (least recently used dropped
   * first; 384 dimensions as float32 are 1.5 KB). 0: no in-process level.
   */
  @IntEnv(0, 65536)
  EMBEDDING_CACHE_MB = 16;

  /**
   * With REDIS_URL: how long a vector stays in Redis for every process after it was embedded
   * (keyed by embedder and text hash). 0: no Redis level.
   */
  @IntEnv(0, 31536000)
  EMBEDDING_CACHE_TTL_SECONDS = 604800;

  /**
   * Agents whose turn reads (the agent, its blocks) each process keeps, checked against a
   * version in Redis (or in the process on the embedded database) before each use. 0: off.
   */
  @IntEnv(0, 1000000)
  HOT_CACHE_ENTRIES = 1000;

  /** Lifetime of `working` memories without an explicit expiresAt. */
  @IntEnv(1)
  WORKING_MEMORY_TTL_SECONDS = 86400;

  /**
   * Index of the embedding column: hnsw, none (exact scan), or auto = hnsw on PostgreSQL and
   * none on the embedded database (an HNSW insert costs ~11 ms a row in PGlite).
   */
  @IsIn(['auto', 'hnsw', 'none'])
  VECTOR_INDEX: 'auto' | 'hnsw' | 'none' = 'auto';

  /**
   * Whether memories get embeddings at all: on, off, or auto = on with a semantic embedder and
   * off with the built-in lexical one, whose vectors auto search never uses (they lower recall)
   * and which cost half of an add's database time. Off: vector mode answers 503, hybrid is full
   * text. Turning it on later needs `npm run reembed` for the memories stored meanwhile.
   */
  @IsIn(['auto', 'on', 'off'])
  VECTOR_SEARCH: 'auto' | 'on' | 'off' = 'auto';

  /**
   * Retrieval mode when a search names none: auto = hybrid with a semantic embedder, text with
   * the built-in lexical one (bench/locomo.ts: its vectors only lower recall).
   */
  @IsIn([...SEARCH_MODES, 'auto'])
  SEARCH_DEFAULT_MODE: SearchMode | 'auto' = 'auto';

  /**
   * Megabytes of each process's in-process search index (posting lists and 8-bit vectors of the
   * scopes searched lately, a cache of the database that follows every writer:
   * memory-index.ts); 0 runs every search as a SQL statement.
   */
  @IntEnv(0, 65536)
  SEARCH_INDEX_MB = 256;

  /**
   * Where jobs run: redis (BullMQ on REDIS_URL), postgres (BullMQ's PostgreSQL backend on
   * DATABASE_URL), inline (in this process, kept in the database), or auto = the first of
   * those the settings allow.
   */
  @IsIn(JOBS_BACKENDS)
  JOBS_BACKEND: JobsBackendSetting = 'auto';

  /** Namespace of this installation's queues and event channel in Redis (for several installations on one Redis). */
  @Matches(/^[A-Za-z0-9_-]{1,40}$/, { message: 'QUEUE_PREFIX may hold 1-40 letters, digits, _ and -' })
  QUEUE_PREFIX = 'agentmem';

  /** Run the job processors inside the API process too (false when `npm run start:worker` runs them). */
  @BoolEnv()
  JOBS_IN_PROCESS = true;

  /** Jobs each queue's worker runs at once. */
  @IntEnv(1, 64)
  JOBS_CONCURRENCY = 2;

  /** How long a worker may stay silent before its job is taken over by another (a crashed worker's jobs restart after this). */
  @IntEnv(1000, 600000)
  JOBS_LOCK_MS = 30000;

  @IntEnv(1, 20)
  JOBS_ATTEMPTS = 3;

  /** Days a memory's history is kept after the memory was deleted (0 = forever); the maintenance job prunes the rest. */
  @IntEnv(0)
  HISTORY_RETENTION_DAYS = 0;

  /** Minutes between maintenance runs (expired working memories, old history). */
  @IntEnv(1, 10080)
  MAINTENANCE_INTERVAL_MINUTES = 60;

  /** Largest body of POST /memories/import (JSON Lines). */
  @Matches(/^\d+(b|kb|mb)$/i, { message: 'IMPORT_BODY_LIMIT must look like 512kb or 50mb' })
  IMPORT_BODY_LIMIT = '64mb';

  /** Socket.IO connections one process accepts per organization. */
  @IntEnv(1)
  WS_MAX_CONNECTIONS_PER_ORG = 5000;

  /** Messages a socket may send per second before it is told to slow down (twice that: disconnected). */
  @IntEnv(1)
  WS_EVENTS_PER_SECOND = 20;

  /** SSE streams one process serves per organization (then 429). */
  @IntEnv(1)
  SSE_MAX_STREAMS_PER_ORG = 1000;

  /** Events kept per organization for SSE clients that resume with Last-Event-ID. */
  @IntEnv(0, 100000)
  SSE_REPLAY_EVENTS = 500;

  /** Seconds between SSE keep-alive comments. */
  @IntEnv(1, 300)
  SSE_KEEPALIVE_SECONDS = 15;

  /** Opens the job dashboard at /admin/queues to anyone presenting it (Bearer, or as the Basic password). */
  @OptionalEnv()
  @IsString()
  @MinLength(16, { message: 'ADMIN_TOKEN must be at least 16 characters long' })
  ADMIN_TOKEN?: string;

  /** Opens GET /metrics on the API to anyone presenting it as a Bearer token (without it, and without METRICS_PORT, /metrics is a 404). */
  @OptionalEnv()
  @IsString()
  @MinLength(16, { message: 'METRICS_TOKEN must be at least 16 characters long' })
  METRICS_TOKEN?: string;

  /** Serves /metrics without a token on this port of HOST, in a small server of its own (API and worker); 0 picks a free port. */
  @OptionalEnv()
  @IntEnv(0, 65535)
  METRICS_PORT?: number;

  /** The jobs backend these settings select. */
  get jobsBackend(): 'redis' | 'postgres' | 'inline' {
    if (this.JOBS_BACKEND !== 'auto') return this.JOBS_BACKEND;
    if (this.REDIS_URL) return 'redis';
    return this.DATABASE_URL ? 'postgres' : 'inline';
  }

  get embedded(): boolean {
    return !this.DATABASE_URL;
  }
}

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigValidationError';
  }
}

function flatten(errors: ValidationError[]): string[] {
  return errors.flatMap((e) =>
    Object.values(e.constraints ?? {}).map((m) => (m.includes(e.property) ? m : `${e.property}: ${m}`)),
  );
}

/** Reads and validates the settings from an environment (process.env by default). */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  // Every property with a validation rule is a setting; anything else in env is ignored.
  const known = new Set(
    getMetadataStorage()
      .getTargetValidationMetadatas(AppConfig, '', true, false)
      .map((m) => m.propertyName),
  );
  const input: Record<string, string> = {};
  for (const key of known) {
    const value = env[key];
    if (value !== undefined) input[key] = value;
  }
  const config = plainToInstance(AppConfig, input, { exposeDefaultValues: true });
  const problems = flatten(validateSync(config, { skipMissingProperties: false }));
  if (config.DATABASE_URL && !config.JWT_SECRET) {
    problems.push('JWT_SECRET is required when DATABASE_URL is set (several API replicas must share it)');
  }
  if (config.LLM_PROVIDER !== 'none' && !config.LLM_MODEL)
    problems.push(`LLM_MODEL is required with LLM_PROVIDER=${config.LLM_PROVIDER}`);
  if (config.LLM_PROVIDER === 'openai-compatible' && !config.LLM_BASE_URL)
    problems.push('LLM_BASE_URL is required with LLM_PROVIDER=openai-compatible');
  if (config.EMBEDDING_PROVIDER !== 'local' && !config.EMBEDDING_MODEL)
    problems.push(`EMBEDDING_MODEL is required with EMBEDDING_PROVIDER=${config.EMBEDDING_PROVIDER}`);
  if (config.EMBEDDING_PROVIDER === 'openai-compatible' && !(config.EMBEDDING_BASE_URL ?? config.LLM_BASE_URL)) {
    problems.push('EMBEDDING_BASE_URL (or LLM_BASE_URL) is required with EMBEDDING_PROVIDER=openai-compatible');
  }
  if (config.JOBS_BACKEND === 'redis' && !config.REDIS_URL) problems.push('JOBS_BACKEND=redis needs REDIS_URL');
  if (config.JOBS_BACKEND === 'postgres' && !config.DATABASE_URL)
    problems.push('JOBS_BACKEND=postgres needs DATABASE_URL (the embedded database cannot hold BullMQ queues)');
  if (config.JOBS_BACKEND === 'inline' && config.DATABASE_URL) {
    problems.push(
      'JOBS_BACKEND=inline is for the one embedded server; with DATABASE_URL use postgres (BullMQ on PostgreSQL) or redis, which several processes can share',
    );
  }
  if (!config.JOBS_IN_PROCESS && config.jobsBackend === 'inline')
    problems.push(
      'JOBS_IN_PROCESS=false needs a shared jobs backend (REDIS_URL or DATABASE_URL): inline jobs run only inside the server',
    );
  if (problems.length) throw new ConfigValidationError(problems);
  return config;
}
