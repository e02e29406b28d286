import type { DomainEvent } from '../common/events/event-bus.js';
import { toWebhookPayload } from './webhook-events.js';

const base = {
  id: '0190a6c4-0000-7000-8000-0000000000aa',
  organizationId: 'org-1',
  occurredAt: '2026-12-05T03:00:00.000Z',
};
const memory = { memoryId: 'm1', userId: 'alice', agentId: null, runId: null, actor: 'user:u1' };

describe('toWebhookPayload', () => {
  it('maps memory events with the event id, type, time and organization', () => {
    const event = { ...base, name: 'memory.deleted', payload: memory } as DomainEvent;
    expect(toWebhookPayload(event)).toEqual({
      id: base.id,
      type: 'memory.deleted',
      createdAt: base.occurredAt,
      organizationId: 'org-1',
      data: memory,
    });
  });

  it('maps agent.updated', () => {
    const event = { ...base, name: 'agent.updated', payload: { agentId: 'a1', status: 'deleted' } } as DomainEvent;
    expect(toWebhookPayload(event)?.data).toEqual({ agentId: 'a1', status: 'deleted' });
  });

  it('sends job.failed only for the last attempt, and nothing about webhook deliveries themselves', () => {
    const job = (name: 'job.failed' | 'job.completed', queue: string, state: string) =>
      ({ ...base, name, payload: { jobId: 'j1', queue, state, progress: 0, error: 'boom' } }) as DomainEvent;
    expect(toWebhookPayload(job('job.failed', 'import', 'delayed'))).toBeNull();
    expect(toWebhookPayload(job('job.failed', 'import', 'failed'))?.data).toEqual({
      jobId: 'j1',
      queue: 'import',
      state: 'failed',
      error: 'boom',
    });
    expect(toWebhookPayload(job('job.completed', 'export', 'completed'))?.type).toBe('job.completed');
    expect(toWebhookPayload(job('job.completed', 'webhook-delivery', 'completed'))).toBeNull();
  });

  it('ignores events webhooks do not offer', () => {
    const progress = {
      ...base,
      name: 'job.progress',
      payload: { jobId: 'j', queue: 'import', state: 'active', progress: 5 },
    };
    const chunk = { ...base, name: 'llm.chunk', payload: { requestId: 'r', agentId: 'a', chunk: 'x', isFinal: false } };
    expect(toWebhookPayload(progress as DomainEvent)).toBeNull();
    expect(toWebhookPayload(chunk as DomainEvent)).toBeNull();
  });
});
