import { Column, Entity, PrimaryColumn } from 'typeorm';

export type ToolRunStatus = 'ok' | 'error' | 'timeout';

/** The record of one run of a tool: who ran it, with which arguments (hashed), how it ended. */
@Entity('tool_runs')
export class ToolRun {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'tool_id', type: 'uuid' })
  toolId: string;

  /** `api-key:<id>`, `user:<id>` or `agent:<id>`: the credential or agent that ran it. */
  @Column('text')
  caller: string;

  @Column({ name: 'agent_id', type: 'uuid', nullable: true })
  agentId: string | null;

  /** SHA-256 of the arguments as canonical JSON (keys sorted): equal calls, equal hashes. */
  @Column({ name: 'args_hash', type: 'text' })
  argsHash: string;

  @Column('text')
  status: ToolRunStatus;

  @Column({ name: 'duration_ms', type: 'real' })
  durationMs: number;

  @Column({ name: 'cpu_ms', type: 'real', nullable: true })
  cpuMs: number | null;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
