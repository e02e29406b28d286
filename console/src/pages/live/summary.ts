import type { LiveEvent } from '../../live/socket';

/** A field as text (objects as JSON; absent as a dash). */
function text(value: unknown, otherwise = '—'): string {
  if (value === null || value === undefined) return otherwise;
  return typeof value === 'string' ? value : JSON.stringify(value);
}
const short = (id: unknown) => (typeof id === 'string' ? id.slice(0, 8) : text(id));

/** One line a person can read for a live event; the full event is in its JSON. */
export function summarize(event: LiveEvent): string {
  const e = event as Record<string, unknown>;
  switch (event.type) {
    case 'memory_update': {
      const scope = [
        e.user_id ? `user ${text(e.user_id)}` : null,
        e.agent_id ? `agent ${short(e.agent_id)}` : null,
        e.run_id ? `run ${text(e.run_id)}` : null,
      ].filter(Boolean);
      return `Memory ${text(e.memory_id)} ${text(e.operation, 'changed')}${scope.length ? ` (${scope.join(', ')})` : ''}`;
    }
    case 'agent_update':
      return `Agent ${text(e.agent_id)} is ${text(e.status, 'updated')}`;
    case 'job_progress': {
      const progress = typeof e.progress === 'number' ? ` ${Math.round(e.progress)} %` : '';
      const error = typeof e.error === 'string' ? `: ${e.error}` : '';
      return `Job ${text(e.job_id)} (${text(e.queue)}) ${text(e.state)}${progress}${error}`;
    }
    case 'message': {
      const content = typeof e.content === 'string' ? e.content : '';
      return `${text(e.role, 'message')} in agent ${short(e.agent_id)}: ${content.length > 140 ? `${content.slice(0, 140)}…` : content}`;
    }
    case 'llm_chunk':
      return `LLM chunk for agent ${short(e.agent_id)}${e.is_final ? ' (final)' : ''}: ${text(e.chunk, '')}`;
    case 'error':
      return `Error: ${text(e.message ?? e.code, JSON.stringify(e))}`;
    default:
      return JSON.stringify(e);
  }
}
