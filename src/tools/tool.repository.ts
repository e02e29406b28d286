import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { returnedRows } from '../database/returned-rows.js';
import type { Returned } from '../database/returned-rows.js';
import { Tool } from './entities/tool.entity.js';
import { ToolRun } from './entities/tool-run.entity.js';

interface ToolRow {
  id: string;
  organization_id: string;
  name: string;
  description: string;
  parameters: Record<string, unknown>;
  source_code: string;
  source_format: Tool['sourceFormat'];
  tags: string[];
  timeout_ms: number;
  memory_limit_mb: number;
  allowed_hosts: string[];
  secrets: string | null;
  secret_names: string[];
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

interface ToolRunRow {
  id: string;
  organization_id: string;
  tool_id: string;
  caller: string;
  agent_id: string | null;
  args_hash: string;
  status: ToolRun['status'];
  duration_ms: number;
  cpu_ms: number | null;
  error: string | null;
  created_at: Date;
}

const COLUMNS = `t.id, t.organization_id, t.name, t.description, t.parameters, t.source_code, t.source_format, t.tags,
  t.timeout_ms, t.memory_limit_mb, t.allowed_hosts, t.secrets, t.secret_names, t.metadata, t.created_at, t.updated_at`;

function toTool(r: ToolRow): Tool {
  return {
    id: r.id,
    organizationId: r.organization_id,
    name: r.name,
    description: r.description,
    parameters: r.parameters,
    sourceCode: r.source_code,
    sourceFormat: r.source_format,
    tags: r.tags,
    timeoutMs: r.timeout_ms,
    memoryLimitMb: r.memory_limit_mb,
    allowedHosts: r.allowed_hosts,
    secrets: r.secrets,
    secretNames: r.secret_names,
    metadata: r.metadata,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toRun(r: ToolRunRow): ToolRun {
  return {
    id: r.id,
    organizationId: r.organization_id,
    toolId: r.tool_id,
    caller: r.caller,
    agentId: r.agent_id,
    argsHash: r.args_hash,
    status: r.status,
    durationMs: r.duration_ms,
    cpuMs: r.cpu_ms,
    error: r.error,
    createdAt: r.created_at,
  };
}

export type ToolChanges = Partial<Omit<Tool, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>>;

const CHANGE_COLUMNS: Record<keyof ToolChanges, string> = {
  name: 'name',
  description: 'description',
  parameters: 'parameters',
  sourceCode: 'source_code',
  sourceFormat: 'source_format',
  tags: 'tags',
  timeoutMs: 'timeout_ms',
  memoryLimitMb: 'memory_limit_mb',
  allowedHosts: 'allowed_hosts',
  secrets: 'secrets',
  secretNames: 'secret_names',
  metadata: 'metadata',
};

/** Every query of tools and their runs, filtered by the caller's organization. */
@Injectable()
export class ToolRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(t: Tool): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tools (id, organization_id, name, description, parameters, source_code, source_format, tags, timeout_ms, memory_limit_mb, allowed_hosts, secrets, secret_names, metadata, created_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [
        t.id,
        t.organizationId,
        t.name,
        t.description,
        JSON.stringify(t.parameters),
        t.sourceCode,
        t.sourceFormat,
        t.tags,
        t.timeoutMs,
        t.memoryLimitMb,
        t.allowedHosts,
        t.secrets,
        t.secretNames,
        JSON.stringify(t.metadata),
        t.createdAt,
        t.updatedAt,
      ],
    );
  }

  async find(id: string): Promise<Tool | null> {
    const rows: ToolRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM tools t WHERE t.id = $1 AND t.organization_id = $2`,
      [id, this.tenant.organizationId],
    );
    return rows[0] ? toTool(rows[0]) : null;
  }

  /** The caller's tools among `ids`, in the order of `ids`. */
  async findMany(ids: string[]): Promise<Tool[]> {
    if (ids.length === 0) return [];
    const rows: ToolRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM tools t WHERE t.id = ANY($1::uuid[]) AND t.organization_id = $2 ORDER BY array_position($1::uuid[], t.id)`,
      [ids, this.tenant.organizationId],
    );
    return rows.map(toTool);
  }

  /**
   * A page in id order; `tags` narrows it to tools holding any (`&&`) or all (`@>`) of them,
   * `name` to one name.
   */
  async page(
    limit: number,
    cursor: string | undefined,
    filter: { tags?: string[]; match: 'any' | 'all'; name?: string },
  ): Promise<Page<Tool>> {
    const params: unknown[] = [this.tenant.organizationId, limit + 1];
    let where = 't.organization_id = $1';
    if (cursor) where += ` AND t.id > $${params.push(cursor)}`;
    if (filter.tags && filter.tags.length > 0)
      where += ` AND t.tags ${filter.match === 'all' ? '@>' : '&&'} $${params.push(filter.tags)}::text[]`;
    if (filter.name) where += ` AND t.name = $${params.push(filter.name)}`;
    const rows: ToolRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM tools t WHERE ${where} ORDER BY t.id LIMIT $2`,
      params,
    );
    return toPage(rows.map(toTool), limit);
  }

  /** Saves the changed fields; false if the tool is not the caller's. */
  async update(id: string, changes: ToolChanges, at: Date): Promise<boolean> {
    const params: unknown[] = [id, this.tenant.organizationId, at];
    const sets = ['updated_at = $3'];
    for (const [key, column] of Object.entries(CHANGE_COLUMNS) as [keyof ToolChanges, string][]) {
      const value = changes[key];
      if (value === undefined) continue;
      sets.push(
        `${column} = $${params.push(key === 'parameters' || key === 'metadata' ? JSON.stringify(value) : value)}`,
      );
    }
    const rows = returnedRows(
      await this.dataSource.query<Returned<{ id: string }>>(
        `UPDATE tools SET ${sets.join(', ')} WHERE id = $1 AND organization_id = $2 RETURNING id`,
        params,
      ),
    );
    return rows.length > 0;
  }

  async delete(id: string): Promise<boolean> {
    const rows = returnedRows(
      await this.dataSource.query<Returned<{ id: string }>>(
        `DELETE FROM tools WHERE id = $1 AND organization_id = $2 RETURNING id`,
        [id, this.tenant.organizationId],
      ),
    );
    return rows.length > 0;
  }

  async insertRun(r: ToolRun): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO tool_runs (id, organization_id, tool_id, caller, agent_id, args_hash, status, duration_ms, cpu_ms, error, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        r.id,
        r.organizationId,
        r.toolId,
        r.caller,
        r.agentId,
        r.argsHash,
        r.status,
        r.durationMs,
        r.cpuMs,
        r.error,
        r.createdAt,
      ],
    );
  }

  /** A tool's runs, newest first. */
  async runs(
    toolId: string,
    limit: number,
    cursor: string | undefined,
    status: ToolRun['status'] | undefined,
  ): Promise<Page<ToolRun>> {
    const params: unknown[] = [this.tenant.organizationId, toolId, limit + 1];
    let where = 'r.organization_id = $1 AND r.tool_id = $2';
    if (cursor) where += ` AND r.id < $${params.push(cursor)}`;
    if (status) where += ` AND r.status = $${params.push(status)}`;
    const rows: ToolRunRow[] = await this.dataSource.query(
      `SELECT r.id, r.organization_id, r.tool_id, r.caller, r.agent_id, r.args_hash, r.status, r.duration_ms, r.cpu_ms, r.error, r.created_at
         FROM tool_runs r WHERE ${where} ORDER BY r.id DESC LIMIT $3`,
      params,
    );
    return toPage(rows.map(toRun), limit);
  }

  /** Deletes run records older than `days`, across organizations (maintenance). */
  async pruneRuns(days: number): Promise<number> {
    const rows = returnedRows(
      await this.dataSource.query<Returned<{ id: string }>>(
        `DELETE FROM tool_runs WHERE created_at < now() - make_interval(days => $1) RETURNING id`,
        [days],
      ),
    );
    return rows.length;
  }
}
