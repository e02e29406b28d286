import { toClientEvent } from './realtime.events.js';

const base = { id: '01', organizationId: 'org', occurredAt: '2026-11-25T00:00:00.000Z' };

describe('toClientEvent', () => {
  it('maps memory events to memory_update for the whole organization, with the operation', () => {
    expect(
      toClientEvent({
        ...base,
        name: 'memory.deleted',
        payload: { memoryId: 'm1', userId: 'u', agentId: 'a', runId: null, actor: 'user:x' },
      }),
    ).toEqual({
      name: 'memory_update',
      audience: 'organization',
      agentId: 'a',
      data: {
        type: 'memory_update',
        memory_id: 'm1',
        agent_id: 'a',
        user_id: 'u',
        run_id: null,
        operation: 'deleted',
        timestamp: base.occurredAt,
      },
    });
  });

  it('sends conversation messages and LLM chunks only to the agent’s followers', () => {
    expect(
      toClientEvent({
        ...base,
        name: 'message.created',
        payload: { messageId: 'x', agentId: 'a', userId: null, runId: null, role: 'assistant', content: 'hi' },
      }),
    ).toEqual(expect.objectContaining({ name: 'message', audience: 'agent', agentId: 'a' }));
    expect(
      toClientEvent({
        ...base,
        name: 'llm.chunk',
        payload: { requestId: 'r', agentId: 'a', chunk: 'x', isFinal: true },
      })?.data,
    ).toEqual(expect.objectContaining({ request_id: 'r', chunk: 'x', is_final: true }));
  });

  it('reports every job event as job_progress with its state, and hides unknown events', () => {
    expect(
      toClientEvent({
        ...base,
        name: 'job.failed',
        payload: { jobId: 'j', queue: 'import', state: 'failed', progress: 40, error: 'boom' },
      })?.data,
    ).toEqual({
      type: 'job_progress',
      job_id: 'j',
      queue: 'import',
      state: 'failed',
      progress: 40,
      error: 'boom',
      timestamp: base.occurredAt,
    });
    expect(toClientEvent({ ...base, name: 'auth.credentials_changed', payload: { userId: 'u' } })).toBeNull();
  });
});
