import type { NewDomainEvent } from '../common/events/event-bus.js';
import type { MemoryRecord } from './memory.types.js';

export const MemoryEventName = {
  Created: 'memory.created',
  Updated: 'memory.updated',
  Deleted: 'memory.deleted',
} as const;
export type MemoryEventName = (typeof MemoryEventName)[keyof typeof MemoryEventName];

export interface MemoryEventPayload {
  memoryId: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  actor: string;
}

export type MemoryEvent = NewDomainEvent<MemoryEventPayload> & { name: MemoryEventName };

export function memoryEvent(name: MemoryEventName, record: MemoryRecord, actor: string): MemoryEvent {
  return {
    name,
    organizationId: record.organizationId,
    occurredAt: new Date().toISOString(),
    payload: { memoryId: record.id, userId: record.userId, agentId: record.agentId, runId: record.runId, actor },
  };
}
