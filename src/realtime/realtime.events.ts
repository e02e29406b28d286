import type { DomainEvent } from '../common/events/event-bus.js';

/** The events Socket.IO and SSE clients receive (server → client). */
export const ClientEventName = {
  Message: 'message',
  AgentUpdate: 'agent_update',
  MemoryUpdate: 'memory_update',
  JobProgress: 'job_progress',
  LlmChunk: 'llm_chunk',
  Error: 'error',
} as const;
export type ClientEventName = (typeof ClientEventName)[keyof typeof ClientEventName];

export interface ClientEvent {
  name: ClientEventName;
  /** Who receives it: every client of the organization, or only those following the agent. */
  audience: 'organization' | 'agent';
  agentId: string | null;
  data: Record<string, unknown> & { type: ClientEventName; timestamp: string };
}

/**
 * Maps a domain event to what clients see (snake_case fields, a type and a timestamp), or null
 * for events clients do not get. Conversation messages and LLM chunks go only to clients that
 * follow the agent (they are many); everything else to the whole organization.
 */
export function toClientEvent(event: DomainEvent): ClientEvent | null {
  const timestamp = event.occurredAt;
  switch (event.name) {
    case 'memory.created':
    case 'memory.updated':
    case 'memory.deleted': {
      const p = event.payload;
      return {
        name: ClientEventName.MemoryUpdate,
        audience: 'organization',
        agentId: p.agentId,
        data: {
          type: ClientEventName.MemoryUpdate,
          memory_id: p.memoryId,
          agent_id: p.agentId,
          user_id: p.userId,
          run_id: p.runId,
          operation: event.name.slice('memory.'.length),
          timestamp,
        },
      };
    }
    case 'agent.updated': {
      const p = event.payload;
      return {
        name: ClientEventName.AgentUpdate,
        audience: 'organization',
        agentId: p.agentId,
        data: { type: ClientEventName.AgentUpdate, agent_id: p.agentId, status: p.status, timestamp },
      };
    }
    case 'message.created': {
      const p = event.payload;
      return {
        name: ClientEventName.Message,
        audience: 'agent',
        agentId: p.agentId,
        data: {
          type: ClientEventName.Message,
          message_id: p.messageId,
          agent_id: p.agentId,
          user_id: p.userId,
          role: p.role,
          content: p.content,
          timestamp,
        },
      };
    }
    case 'job.progress':
    case 'job.completed':
    case 'job.failed': {
      const p = event.payload;
      return {
        name: ClientEventName.JobProgress,
        audience: 'organization',
        agentId: null,
        data: {
          type: ClientEventName.JobProgress,
          job_id: p.jobId,
          queue: p.queue,
          state: p.state,
          progress: p.progress,
          ...(p.result !== undefined ? { result: p.result } : {}),
          ...(p.error !== undefined ? { error: p.error } : {}),
          timestamp,
        },
      };
    }
    case 'llm.chunk': {
      const p = event.payload;
      return {
        name: ClientEventName.LlmChunk,
        audience: 'agent',
        agentId: p.agentId,
        data: {
          type: ClientEventName.LlmChunk,
          request_id: p.requestId,
          agent_id: p.agentId,
          chunk: p.chunk,
          is_final: p.isFinal,
          timestamp,
        },
      };
    }
    default:
      return null;
  }
}
