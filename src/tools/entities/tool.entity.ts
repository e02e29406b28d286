import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { SourceFormat } from '../sandbox/sandbox-pool.js';

/** A tool of the registry: a JSON-Schema-described function whose JavaScript runs in the sandbox. */
@Entity('tools')
export class Tool {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  /** Unique in the organization; what the model calls it. */
  @Column('text')
  name: string;

  @Column('text')
  description: string;

  /** JSON Schema (draft-07) of the one object argument. */
  @Column('jsonb')
  parameters: Record<string, unknown>;

  @Column({ name: 'source_code', type: 'text' })
  sourceCode: string;

  /** body: the statements of `async function (args) {…}`; module: an ES module exporting one function. */
  @Column({ name: 'source_format', type: 'text' })
  sourceFormat: SourceFormat;

  @Column({ type: 'text', array: true })
  tags: string[];

  @Column({ name: 'timeout_ms', type: 'integer' })
  timeoutMs: number;

  @Column({ name: 'memory_limit_mb', type: 'integer' })
  memoryLimitMb: number;

  /** Hosts the tool's `fetch` may reach; empty = no fetch at all. */
  @Column({ name: 'allowed_hosts', type: 'text', array: true })
  allowedHosts: string[];

  /** The secrets, sealed by ToolSecrets (never returned by the API); null when there are none. */
  @Column({ type: 'text', nullable: true })
  secrets: string | null;

  @Column({ name: 'secret_names', type: 'text', array: true })
  secretNames: string[];

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
