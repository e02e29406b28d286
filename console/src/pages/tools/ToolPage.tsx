import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import {
  Badge,
  Button,
  ConfirmDialog,
  Empty,
  ErrorNote,
  Loading,
  NotFound,
  PageHeader,
  formatTime,
} from '../../ui/kit';
import { RunForm } from './RunForm';
import { ToolEditor } from './ToolEditor';
import './tools.css';

/** One tool: its source and schema (editable by members), a run form and its run history. */
export function ToolPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const canEdit = session.can('member');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [deleting, setDeleting] = useState(false);
  const tool = useQuery({
    queryKey: ['tool', id],
    queryFn: () => unwrap(api.GET('/api/v1/tools/{id}', { params: { path: { id } } })),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/tools/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['tools'] });
      void navigate('/tools');
    },
  });
  if (ApiError.isMissing(tool.error)) return <NotFound what="tool" />;
  if (tool.error) return <ErrorNote error={tool.error} />;
  if (!tool.data) return <Loading />;
  const t = tool.data;
  return (
    <div className="stack">
      <div className="small">
        <Link to="/tools">← Tools</Link>
      </div>
      <PageHeader
        title={t.name}
        actions={
          canEdit ? (
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete tool
            </Button>
          ) : null
        }
      />
      <ToolEditor tool={t} canEdit={canEdit} onSaved={() => undefined} />
      <div className="grid-2 tools-run">
        {/* Keyed by the schema: new parameters make a new form. */}
        {canEdit ? <RunForm key={JSON.stringify(t.parameters)} tool={t} /> : null}
        <RunHistory toolId={t.id} />
      </div>
      <ConfirmDialog
        open={deleting}
        title="Delete tool"
        message={
          <>
            Delete <strong>{t.name}</strong> and its run records? Agents holding it lose it.
            <ErrorNote error={remove.error} />
          </>
        }
        busy={remove.isPending}
        onConfirm={() => remove.mutate()}
        onClose={() => setDeleting(false)}
      />
    </div>
  );
}

function RunHistory({ toolId }: { toolId: string }) {
  const runs = useQuery({
    queryKey: ['tool', toolId, 'runs'],
    queryFn: () =>
      unwrap(api.GET('/api/v1/tools/{id}/runs', { params: { path: { id: toolId }, query: { limit: 20 } } })),
  });
  return (
    <section className="card stack" aria-label="Run history">
      <h2>Run history</h2>
      {runs.isPending ? <Loading /> : null}
      <ErrorNote error={runs.error} />
      {runs.data && runs.data.data.length === 0 ? <Empty>Not run yet.</Empty> : null}
      {runs.data && runs.data.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table" data-testid="run-history">
            <thead>
              <tr>
                <th>When</th>
                <th>Status</th>
                <th>Duration</th>
                <th>Caller</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.data.map((r) => (
                <tr key={r.id}>
                  <td className="small">{formatTime(r.createdAt)}</td>
                  <td>
                    <Badge tone={r.status === 'ok' ? 'good' : 'bad'}>{r.status}</Badge>
                    {r.error ? <div className="small muted">{r.error}</div> : null}
                  </td>
                  <td className="mono small">{r.durationMs} ms</td>
                  <td className="mono small">{r.caller}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
