import { useQuery } from '@tanstack/react-query';
import { api, errorOf, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { Badge, ErrorNote, Loading, formatTime } from '../../ui/kit';

/** GET /health/ready (terminus): each check's status and what it says (src/health/health.controller.ts). */
interface Readiness {
  status: 'ok' | 'error';
  details: Record<string, { status: 'up' | 'down'; [field: string]: unknown }>;
}

const CHECKS: Record<string, string> = {
  database: 'Database',
  storage: 'Storage',
  embedder: 'Embedder',
  jobs: 'Jobs',
  tools: 'Tool sandboxes',
  redis: 'Redis',
};

const LABELS: Record<string, string> = {
  mode: 'Mode',
  vector: 'Vector (pgvector)',
  vectorReason: 'Why no vector',
  vectorIndex: 'Vector index',
  vectorSearch: 'Vector search',
  vectorSearchReason: 'Why no vector search',
  model: 'Model',
  dimensions: 'Dimensions',
  kind: 'Kind',
  backend: 'Backend',
  events: 'Events',
  responseTime: 'Response time (ms)',
  sandboxes: 'Sandboxes',
  running: 'Running',
  waiting: 'Waiting',
  queueMax: 'Queue limit',
};

/** A 503 still carries every check's status (as the error's details): show them, with the reason. */
async function readiness(): Promise<{ ready: Readiness; message?: string }> {
  const response = await fetch('/health/ready');
  if (response.ok) return { ready: (await response.json()) as Readiness };
  const error = await errorOf(response);
  if (response.status === 503 && error.details && typeof error.details === 'object') {
    return { ready: { status: 'error', details: error.details as Readiness['details'] }, message: error.message };
  }
  throw error;
}

function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function ServerTab({ isAdmin }: { isAdmin: boolean }) {
  const ready = useQuery({ queryKey: ['health', 'ready'], queryFn: readiness, refetchInterval: 30_000 });
  return (
    <div className="stack">
      <h2>
        Server readiness{' '}
        {ready.data ? (
          <span data-testid="ready-status">
            <Badge tone={ready.data.ready.status === 'ok' ? 'good' : 'bad'}>
              {ready.data.ready.status === 'ok' ? 'ready' : 'not ready'}
            </Badge>
          </span>
        ) : null}
      </h2>
      <ErrorNote error={ready.error} />
      {ready.data?.message ? <ErrorNote error={ready.data.message} /> : null}
      {ready.isPending ? (
        <Loading />
      ) : ready.data ? (
        <div className="ready-grid">
          {Object.entries(ready.data.ready.details).map(([name, check]) => {
            const { status, ...fields } = check;
            return (
              <section key={name} className="card" aria-label={CHECKS[name] ?? name} data-testid={`ready-${name}`}>
                <h3>
                  {CHECKS[name] ?? name} <Badge tone={status === 'up' ? 'good' : 'bad'}>{status}</Badge>
                </h3>
                {Object.keys(fields).length ? (
                  <dl className="kv">
                    {Object.entries(fields).map(([key, value]) => (
                      <div key={key} className="kv-row">
                        <dt>{LABELS[key] ?? key}</dt>
                        <dd data-testid={`ready-${name}-${key}`}>{show(value)}</dd>
                      </div>
                    ))}
                  </dl>
                ) : null}
              </section>
            );
          })}
        </div>
      ) : null}
      {isAdmin ? <Limits /> : null}
    </div>
  );
}

const LIMITS = [
  { key: 'memoriesStored', label: 'Memories stored' },
  { key: 'requestsPerMinute', label: 'Requests per minute (organization)' },
  { key: 'toolRunsPerMinute', label: 'Tool runs per minute' },
  { key: 'requestsPerMinutePerKey', label: 'Requests per minute (each key or user)' },
] as const;

/** The organization's limits, read-only (only the installation owner sets them, over the API). */
function Limits() {
  const session = useSession();
  const id = session.me?.organization.id ?? '';
  const limits = useQuery({
    queryKey: ['limits', id],
    enabled: id !== '',
    queryFn: () => unwrap(api.GET('/api/v1/organizations/{id}/limits', { params: { path: { id } } })),
  });
  const own = (key: (typeof LIMITS)[number]['key']): number | null | undefined =>
    key === 'requestsPerMinutePerKey' ? undefined : limits.data?.[key];
  return (
    <section className="stack" aria-label="Organization limits">
      <h2>Organization limits</h2>
      <ErrorNote error={limits.error} />
      {limits.isPending ? (
        <Loading />
      ) : limits.data ? (
        <>
          <div className="table-wrap">
            <table className="table" aria-label="Limits">
              <thead>
                <tr>
                  <th>Limit</th>
                  <th>In force</th>
                  <th>Set for this organization</th>
                </tr>
              </thead>
              <tbody>
                {LIMITS.map((l) => {
                  const set = own(l.key);
                  return (
                    <tr key={l.key} data-testid={`limit-${l.key}`}>
                      <td>{l.label}</td>
                      <td>{limits.data.effective[l.key] ?? 'no limit'}</td>
                      <td className="muted">
                        {set === undefined ? 'server setting' : set === null ? 'installation default' : set}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <p className="muted small">
            Last set: {formatTime(limits.data.updatedAt)}. Only the installation owner changes limits (PATCH
            /api/v1/organizations/:id/limits).
          </p>
        </>
      ) : null}
    </section>
  );
}
