import type { DomainEvent } from '../common/events/event-bus.js';
import { QueueName } from '../jobs/jobs.types.js';

/** The event types a webhook may subscribe to (the domain events' names). */
export const WEBHOOK_EVENT_TYPES = [
  'memory.created',
  'memory.updated',
  'memory.deleted',
  'agent.updated',
  'job.completed',
  'job.failed',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

/** The JSON body of every delivery. */
export interface WebhookPayload {
  /** The event's id (UUID v7), the same in every attempt: receivers deduplicate by it. */
  id: string;
  type: WebhookEventType;
  /** When the event happened (ISO 8601). */
  createdAt: string;
  organizationId: string;
  data: Record<string, unknown>;
}

/**
 * What a webhook receives for a domain event, or null for events webhooks do not get. A job's
 * `job.failed` is sent once, when its last attempt failed (not for each retry); webhook
 * deliveries themselves are system jobs and publish no job events (no delivery about a delivery).
 */
export function toWebhookPayload(event: DomainEvent): WebhookPayload | null {
  const base = { id: event.id, createdAt: event.occurredAt, organizationId: event.organizationId };
  switch (event.name) {
    case 'memory.created':
    case 'memory.updated':
    case 'memory.deleted': {
      const p = event.payload;
      return {
        ...base,
        type: event.name,
        data: { memoryId: p.memoryId, userId: p.userId, agentId: p.agentId, runId: p.runId, actor: p.actor },
      };
    }
    case 'agent.updated':
      return { ...base, type: event.name, data: { agentId: event.payload.agentId, status: event.payload.status } };
    case 'job.completed':
    case 'job.failed': {
      const p = event.payload;
      if (p.queue === QueueName.WebhookDelivery) return null;
      if (event.name === 'job.failed' && p.state !== 'failed') return null;
      return {
        ...base,
        type: event.name,
        data: {
          jobId: p.jobId,
          queue: p.queue,
          state: p.state,
          ...(p.result !== undefined ? { result: p.result } : {}),
          ...(p.error !== undefined ? { error: p.error } : {}),
        },
      };
    }
    default:
      return null;
  }
}
