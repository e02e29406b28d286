import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { roleAtLeast } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { isForeignKeyViolation, isUniqueViolation } from '../common/errors/database-errors.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { LimitsService } from '../limits/limits.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { CreateToolDto, DEFAULT_MEMORY_LIMIT_MB, DEFAULT_TIMEOUT_MS } from './dto/create-tool.dto.js';
import type { ListToolsQueryDto } from './dto/list-tools-query.dto.js';
import type { ListToolRunsQueryDto } from './dto/list-tool-runs-query.dto.js';
import { ToolResponseDto } from './dto/tool-response.dto.js';
import { ToolRunResponseDto, ToolRunResultDto } from './dto/tool-run-response.dto.js';
import type { UpdateToolDto } from './dto/update-tool.dto.js';
import type { Tool } from './entities/tool.entity.js';
import type { ToolRun } from './entities/tool-run.entity.js';
import { SandboxPool } from './sandbox/sandbox-pool.js';
import type { SandboxResult } from './sandbox/sandbox-pool.js';
import { ToolChanges, ToolRepository } from './tool.repository.js';
import { BUILT_IN_TOOL_NAMES } from './built-in-tool-names.js';
import { ToolSchema } from './tool-schema.js';
import { ToolSecrets } from './tool-secrets.js';
import { ToolError, ToolErrorCode } from './tools.errors.js';

/** Longest error message kept and returned. */
const ERROR_CHARS = 4000;
const SECRET_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_SECRETS = 20;
const MAX_SECRET_CHARS = 4096;

/** A value as it is, inside a JSON string, and inside JSON that is itself inside a JSON string. */
function escapings(value: string): string[] {
  const once = JSON.stringify(value).slice(1, -1);
  return [value, once, JSON.stringify(once).slice(1, -1)];
}

/**
 * A secret's value in the result, console output or an error becomes `[secret NAME]`, as it is
 * and as it appears inside JSON (escaped once or twice); values under 4 characters are left
 * (they would match everywhere). Results go to the caller, the agent's messages and the LLM:
 * none may carry a key by accident (a tool bent on leaking one can still encode it).
 */
function redactSecrets(outcome: SandboxResult, env: Record<string, string>): SandboxResult {
  const forms = Object.entries(env)
    .filter(([, v]) => v.length >= 4)
    .flatMap(([name, value]) => [...new Set(escapings(value))].map((form) => [name, form] as const))
    .sort((a, b) => b[1].length - a[1].length);
  if (forms.length === 0) return outcome;
  const redact = (text: string) => forms.reduce((t, [name, form]) => t.split(form).join(`[secret ${name}]`), text);
  return {
    ...outcome,
    ...(outcome.resultJson !== undefined ? { resultJson: redact(outcome.resultJson) } : {}),
    logs: outcome.logs.map(redact),
    ...(outcome.error ? { error: redact(outcome.error) } : {}),
  };
}

/** Allowed hosts as stored: lower case, each once. */
function normalHosts(hosts: string[]): string[] {
  return [...new Set(hosts.map((h) => h.toLowerCase()))];
}

function sameHosts(given: string[], stored: string[]): boolean {
  const a = normalHosts(given).sort();
  const b = [...stored].sort();
  return a.length === b.length && a.every((h, i) => h === b[i]);
}

/** Who runs a tool: the API caller, or an agent during a turn. */
export interface ToolCaller {
  agentId?: string;
}

@Injectable()
export class ToolsService {
  private readonly schemas = new ToolSchema();

  constructor(
    private readonly tools: ToolRepository,
    private readonly sandbox: SandboxPool,
    private readonly tenant: TenantContext,
    private readonly secrets: ToolSecrets,
    private readonly limits: LimitsService,
    private readonly metrics: MetricsService,
  ) {}

  async create(input: CreateToolDto): Promise<ToolResponseDto> {
    this.checkName(input.name);
    this.schemas.check(input.parameters);
    const now = new Date();
    const id = uuidv7();
    const tool: Tool = {
      id,
      organizationId: this.tenant.organizationId,
      name: input.name,
      description: input.description,
      parameters: input.parameters,
      sourceCode: input.sourceCode,
      sourceFormat: await this.checkSource(input.sourceCode),
      tags: [...new Set(input.tags ?? [])],
      timeoutMs: input.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      memoryLimitMb: input.memoryLimitMb ?? DEFAULT_MEMORY_LIMIT_MB,
      allowedHosts: normalHosts(input.allowedHosts ?? []),
      ...this.sealSecrets(id, input.secrets ?? null),
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.tools.insert(tool);
    } catch (error) {
      if (isUniqueViolation(error)) throw this.nameTaken(tool.name);
      throw error;
    }
    return ToolResponseDto.from(tool);
  }

  async list(query: ListToolsQueryDto): Promise<Page<ToolResponseDto>> {
    const page = await this.tools.page(query.limit, query.cursor, {
      tags: query.tags,
      match: query.match ?? 'any',
      name: query.name,
    });
    return mapPage(page, ToolResponseDto.from);
  }

  async get(id: string): Promise<ToolResponseDto> {
    return ToolResponseDto.from(await this.find(id));
  }

  /** The caller's tool, or a 404. */
  async find(id: string): Promise<Tool> {
    const tool = await this.tools.find(id);
    if (!tool) throw CommonError.notFound('tool', id);
    return tool;
  }

  /** The caller's tools of these names, in one query (names of no tool are left out). */
  findByNames(names: string[]): Promise<Tool[]> {
    return this.tools.findByNames([...new Set(names)]);
  }

  /** A window of the organization's tools by keyset in either direction (Letta's lists), of one name if given. */
  async window(
    w: { after?: string; before?: string; limit: number; order: 'asc' | 'desc' },
    name: string | undefined,
  ): Promise<ToolResponseDto[]> {
    return (await this.tools.window(w, name)).map(ToolResponseDto.from);
  }

  /** The caller's tools among `ids`, in that order; ids of no tool of the organization are left out. */
  findMany(ids: string[]): Promise<Tool[]> {
    return this.tools.findMany(ids);
  }

  async update(id: string, input: UpdateToolDto): Promise<ToolResponseDto> {
    const current = await this.find(id);
    this.guardSecrets(current, input);
    if (input.name !== undefined) this.checkName(input.name);
    if (input.parameters !== undefined) this.schemas.check(input.parameters);
    const { secrets, ...fields } = input;
    const changes: ToolChanges = {
      ...fields,
      ...(secrets !== undefined ? this.sealSecrets(id, secrets) : {}),
      ...(input.sourceCode !== undefined ? { sourceFormat: await this.checkSource(input.sourceCode) } : {}),
      ...(input.tags ? { tags: [...new Set(input.tags)] } : {}),
      ...(input.allowedHosts ? { allowedHosts: normalHosts(input.allowedHosts) } : {}),
    };
    try {
      if (!(await this.tools.update(id, changes, new Date()))) throw CommonError.notFound('tool', id);
    } catch (error) {
      if (isUniqueViolation(error)) throw this.nameTaken(input.name ?? '');
      throw error;
    }
    return this.get(id);
  }

  /**
   * The rule CI systems apply to their secrets: whoever can change what runs next to a secret
   * can read it (return it reversed or base64: no redaction catches that). So changing the code
   * or the allowed hosts of a tool that holds secrets needs admin, unless the same request
   * replaces or removes the secrets (then the caller only reaches values they gave themselves).
   */
  private guardSecrets(tool: Tool, input: UpdateToolDto): void {
    if (!tool.secrets || input.secrets !== undefined) return;
    const codeChanges = input.sourceCode !== undefined && input.sourceCode !== tool.sourceCode;
    const hostsChange = input.allowedHosts !== undefined && !sameHosts(input.allowedHosts, tool.allowedHosts);
    if (!codeChanges && !hostsChange) return;
    const role = this.tenant.principal.role;
    if (roleAtLeast(role, 'admin')) return;
    throw new ToolError(
      ToolErrorCode.SecretsGuarded,
      `${codeChanges ? 'sourceCode' : 'allowedHosts'}: this tool holds secrets (${tool.secretNames.join(', ')}); changing its code or allowed hosts needs the admin role (yours: ${role}), or replace the secrets in the same request`,
    );
  }

  /** Deletes the tool, its run records, and detaches it from every agent. */
  async remove(id: string): Promise<void> {
    if (!(await this.tools.delete(id))) throw CommonError.notFound('tool', id);
  }

  /** POST /tools/:id/run: arguments checked (400 naming the field), then a sandboxed run, recorded. */
  async run(id: string, args: Record<string, unknown>): Promise<ToolRunResultDto> {
    const tool = await this.find(id);
    this.schemas.validate(this.schemaKey(tool), tool.parameters, args);
    return this.execute(tool, args, {});
  }

  /**
   * Runs a tool the caller already holds (the agent loop) whose arguments may be wrong: those
   * come back as an error result for the model instead of a 400.
   */
  async runForAgent(
    tool: Tool,
    args: unknown,
    agentId: string,
  ): Promise<ToolRunResultDto | { status: 'invalid'; error: string }> {
    const problem = this.schemas.problem(this.schemaKey(tool), tool.parameters, args);
    if (problem) {
      this.metrics.toolRuns.inc({ status: 'invalid' });
      return { status: 'invalid', error: problem };
    }
    return this.execute(tool, args as Record<string, unknown>, { agentId });
  }

  async runs(id: string, query: ListToolRunsQueryDto): Promise<Page<ToolRunResponseDto>> {
    await this.find(id);
    return mapPage(await this.tools.runs(id, query.limit, query.cursor, query.status), ToolRunResponseDto.from);
  }

  /** The sandbox pool's size and load (for /health/ready). */
  sandboxLoad(): SandboxPool['load'] {
    return this.sandbox.load;
  }

  /** Maintenance: forgets run records older than `days`. */
  pruneRuns(days: number): Promise<number> {
    return this.tools.pruneRuns(days);
  }

  private async execute(tool: Tool, args: Record<string, unknown>, caller: ToolCaller): Promise<ToolRunResultDto> {
    // Tool runs per minute of the organization: a 429 for REST, an error the model reads in a turn.
    await this.limits.admitToolRun();
    const argsJson = JSON.stringify(args);
    const env = tool.secrets ? this.secrets.open(tool.id, tool.secrets) : {};
    let ran: SandboxResult;
    try {
      ran = await this.sandbox.run({
        source: tool.sourceCode,
        format: tool.sourceFormat,
        argsJson,
        timeoutMs: tool.timeoutMs,
        memoryLimitMb: tool.memoryLimitMb,
        allowedHosts: tool.allowedHosts,
        env,
      });
    } catch (error) {
      if (error instanceof ToolError && error.code === ToolErrorCode.QueueFull)
        this.metrics.toolRuns.inc({ status: 'rejected' });
      throw error;
    }
    this.metrics.toolRuns.inc({ status: ran.status });
    const outcome = redactSecrets(ran, env);
    const runId = uuidv7();
    const error = outcome.error ? outcome.error.slice(0, ERROR_CHARS) : undefined;
    await this.recordRun({
      id: runId,
      organizationId: tool.organizationId,
      toolId: tool.id,
      caller: caller.agentId ? `agent:${caller.agentId}` : this.tenant.actor,
      agentId: caller.agentId ?? null,
      argsHash: hashArgs(args),
      status: outcome.status,
      durationMs: outcome.durationMs,
      cpuMs: outcome.cpuMs,
      error: error ?? null,
      createdAt: new Date(),
    });
    return {
      runId,
      status: outcome.status,
      ...(outcome.status === 'ok' ? { result: parseResult(outcome.resultJson) } : {}),
      ...(error ? { error } : {}),
      durationMs: outcome.durationMs,
      cpuMs: outcome.cpuMs,
      logs: outcome.logs,
    };
  }

  /** Stores a run's record; a tool deleted while it ran keeps no record (its records went with it). */
  private async recordRun(run: ToolRun): Promise<void> {
    try {
      await this.tools.insertRun(run);
    } catch (error) {
      if (!isForeignKeyViolation(error)) throw error;
    }
  }

  private schemaKey(tool: Tool): string {
    return `${tool.id}:${tool.updatedAt.getTime()}`;
  }

  private checkName(name: string): void {
    if (BUILT_IN_TOOL_NAMES.includes(name))
      throw new ToolError(ToolErrorCode.InvalidInput, `name ${name} is taken by a built-in tool of the agent loop`);
  }

  private async checkSource(source: string): Promise<Tool['sourceFormat']> {
    const { format, error } = await this.sandbox.check(source);
    if (error)
      throw new ToolError(
        ToolErrorCode.InvalidInput,
        `sourceCode does not compile as a function body or a module: ${error}`,
      );
    return format;
  }

  /** Checks and seals secrets: 400 naming `secrets.NAME` for a bad name or value. */
  private sealSecrets(toolId: string, values: Record<string, unknown> | null): Pick<Tool, 'secrets' | 'secretNames'> {
    if (values === null) return { secrets: null, secretNames: [] };
    const entries = Object.entries(values);
    // Empty is refused rather than read as "none": the validation pipe strips keys named
    // constructor or __proto__, and {constructor: "…"} must not silently remove every secret.
    if (entries.length === 0)
      throw new ToolError(
        ToolErrorCode.InvalidInput,
        'secrets must hold at least one NAME: value pair (null removes them; the names constructor and __proto__ are not available)',
      );
    if (entries.length > MAX_SECRETS)
      throw new ToolError(ToolErrorCode.InvalidInput, `secrets may hold at most ${MAX_SECRETS} values`);
    for (const [name, value] of entries) {
      if (!SECRET_NAME.test(name))
        throw new ToolError(
          ToolErrorCode.InvalidInput,
          `secrets.${name.slice(0, 80)}: a name must be letters, digits and underscores, not starting with a digit (at most 64)`,
        );
      if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SECRET_CHARS) {
        throw new ToolError(
          ToolErrorCode.InvalidInput,
          `secrets.${name} must be a string of 1 to ${MAX_SECRET_CHARS} characters`,
        );
      }
    }
    return {
      secrets: this.secrets.seal(toolId, Object.fromEntries(entries) as Record<string, string>),
      secretNames: entries.map(([name]) => name).sort(),
    };
  }

  private nameTaken(name: string): ToolError {
    return new ToolError(ToolErrorCode.NameTaken, `a tool named ${name} already exists in this organization`);
  }
}

/** The sandbox's JSON text as a value (it made it with the isolate's own JSON.stringify). */
function parseResult(json: string | undefined): unknown {
  try {
    return JSON.parse(json ?? 'null') as unknown;
  } catch {
    return null;
  }
}

/** SHA-256 of canonical JSON (object keys sorted at every depth). */
export function hashArgs(args: unknown): string {
  const canonical = (v: unknown): unknown =>
    Array.isArray(v)
      ? v.map(canonical)
      : v && typeof v === 'object'
        ? Object.fromEntries(
            Object.keys(v)
              .sort()
              .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
          )
        : v;
  return createHash('sha256')
    .update(JSON.stringify(canonical(args)))
    .digest('hex');
}
