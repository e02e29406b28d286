import { useQuery } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { Badge, Empty, ErrorNote, Loading, PageHeader, formatTime } from '../../ui/kit';
import { ToolEditor } from './ToolEditor';
import './tools.css';

/** The organization's tool registry. */
export function ToolsPage() {
  const session = useSession();
  const tools = useQuery({
    queryKey: ['tools'],
    queryFn: () => unwrap(api.GET('/api/v1/tools', { params: { query: { limit: 100 } } })),
  });
  return (
    <div className="stack">
      <PageHeader
        title="Tools"
        actions={
          session.can('member') ? (
            <Link className="btn btn-primary" to="/tools/new">
              New tool
            </Link>
          ) : null
        }
      />
      {tools.isPending ? <Loading /> : null}
      <ErrorNote error={tools.error} />
      {tools.data && tools.data.data.length === 0 ? <Empty>No tools yet.</Empty> : null}
      {tools.data && tools.data.data.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Description</th>
                <th>Tags</th>
                <th>Updated</th>
              </tr>
            </thead>
            <tbody>
              {tools.data.data.map((t) => (
                <tr key={t.id}>
                  <td className="mono">
                    <Link to={`/tools/${t.id}`}>{t.name}</Link>
                  </td>
                  <td>{t.description}</td>
                  <td>
                    <div className="row">
                      {t.tags.map((tag) => (
                        <Badge key={tag}>{tag}</Badge>
                      ))}
                    </div>
                  </td>
                  <td className="small">{formatTime(t.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}

/** A new tool: its editor, then its own page once created. */
export function NewToolPage() {
  const navigate = useNavigate();
  return (
    <div className="stack">
      <div className="small">
        <Link to="/tools">← Tools</Link>
      </div>
      <PageHeader title="New tool" />
      <ToolEditor canEdit onSaved={(tool) => void navigate(`/tools/${tool.id}`, { replace: true })} />
    </div>
  );
}
