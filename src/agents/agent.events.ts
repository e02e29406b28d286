import type { NewDomainEvent } from '../common/events/event-bus.js';

export const AgentEventName = { Updated: 'agent.updated' } as const;

export interface AgentUpdatedPayload {
  agentId: string;
  status: 'created' | 'updated' | 'deleted';
}

export function agentUpdated(
  organizationId: string,
  agentId: string,
  status: AgentUpdatedPayload['status'],
): NewDomainEvent<AgentUpdatedPayload> {
  return {
    name: AgentEventName.Updated,
    organizationId,
    occurredAt: new Date().toISOString(),
    payload: { agentId, status },
  };
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

export function messageCreated(
  organizationId: string,
  payload: MessageCreatedPayload,
): NewDomainEvent<MessageCreatedPayload> {
  return { name: MessageEventName.Created, organizationId, occurredAt: new Date().toISOString(), payload };
}
