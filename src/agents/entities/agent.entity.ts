import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LlmProvider } from '../../config/app-config.js';

/** An agent's own model settings; a missing field takes the server's default. */
export interface AgentModelSettings {
  provider?: Exclude<LlmProvider, 'none'>;
  model?: string;
  temperature?: number;
  maxTokens?: number;
  contextWindow?: number;
  maxSteps?: number;
}

@Entity('agents')
export class Agent {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column('text')
  name: string;

  @Column({ type: 'text', nullable: true })
  description: string | null;

  /** The system prompt. */
  @Column({ type: 'text', nullable: true })
  system: string | null;

  @Column('jsonb')
  metadata: Record<string, unknown>;

  @Column('jsonb')
  model: AgentModelSettings;

  /** Tools of the registry offered to the model besides the built-in memory tools (rows of agent_tools, in attachment order). */
  toolIds: string[];

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
