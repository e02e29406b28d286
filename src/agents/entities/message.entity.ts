import { Column, Entity, PrimaryColumn } from 'typeorm';

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** A tool call the model made in an assistant message. */
export interface StoredToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** One entry of an agent's conversation log. */
@Entity('messages')
export class Message {
  @PrimaryColumn('uuid')
  id: string;

  @Column({ name: 'organization_id', type: 'uuid' })
  organizationId: string;

  @Column({ name: 'agent_id', type: 'uuid' })
  agentId: string;

  @Column({ name: 'user_id', type: 'text', nullable: true })
  userId: string | null;

  @Column({ name: 'run_id', type: 'text', nullable: true })
  runId: string | null;

  /** The turn that wrote it (the `requestId` of its LLM stream). */
  @Column({ name: 'request_id', type: 'uuid', nullable: true })
  requestId: string | null;

  @Column('text')
  role: MessageRole;

  @Column('text')
  content: string;

  @Column({ name: 'tool_calls', type: 'jsonb', nullable: true })
  toolCalls: StoredToolCall[] | null;

  @Column({ name: 'tool_call_id', type: 'text', nullable: true })
  toolCallId: string | null;

  @Column({ name: 'tool_name', type: 'text', nullable: true })
  toolName: string | null;

  /** Its size in the prompt, counted once when stored. */
  @Column('integer')
  tokens: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
