import { domainEvent } from '../common/events/event-bus.js';
import type { NewDomainEvent } from '../common/events/event-bus.js';

export const AgentEventName = { Updated: 'agent.updated' } as const;

export interface AgentUpdatedPayload {
  agentId: string;
  status: 'created' | 'updated' | 'deleted';
}

export const MessageEventName = { Created: 'message.created' } as const;

export interface MessageCreatedPayload {
  messageId: string;
  agentId: string;
  userId: string | null;
  runId: string | null;
  role: string;
  content: string;
}

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'agent.updated': AgentUpdatedPayload;
    'message.created': MessageCreatedPayload;
  }
}

export function agentUpdated(
  organizationId: string,
  agentId: string,
  status: AgentUpdatedPayload['status'],
): NewDomainEvent<'agent.updated'> {
  return domainEvent(AgentEventName.Updated, organizationId, { agentId, status });
}

export function messageCreated(
  organizationId: string,
  payload: MessageCreatedPayload,
): NewDomainEvent<'message.created'> {
  return domainEvent(MessageEventName.Created, organizationId, payload);
}
