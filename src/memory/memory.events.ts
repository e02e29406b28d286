import { domainEvent } from '../common/events/event-bus.js';
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

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'memory.created': MemoryEventPayload;
    'memory.updated': MemoryEventPayload;
    'memory.deleted': MemoryEventPayload;
  }
}

export type MemoryEvent = NewDomainEvent<MemoryEventName>;

export function memoryEvent(name: MemoryEventName, record: MemoryRecord, actor: string): MemoryEvent {
  return domainEvent(name, record.organizationId, {
    memoryId: record.id,
    userId: record.userId,
    agentId: record.agentId,
    runId: record.runId,
    actor,
  });
}
