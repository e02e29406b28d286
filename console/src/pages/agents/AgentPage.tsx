import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ApiError, api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import { Button, ConfirmDialog, ErrorNote, Loading, NotFound, PageHeader } from '../../ui/kit';
import { BlocksPanel } from './BlocksPanel';
import { ChatPanel } from './ChatPanel';
import { MessageLog } from './MessageLog';
import { SettingsPanel } from './SettingsPanel';
import './agents.css';

const TABS = [
  { id: 'chat', label: 'Chat' },
  { id: 'blocks', label: 'Core memory' },
  { id: 'settings', label: 'Settings' },
  { id: 'log', label: 'Conversation log' },
] as const;
type TabId = (typeof TABS)[number]['id'];

/** One agent: chat with it, its core memory blocks, its settings and its conversation log. */
export function AgentPage() {
  const { id = '' } = useParams();
  const session = useSession();
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [params, setParams] = useSearchParams();
  const tab: TabId = TABS.some((t) => t.id === params.get('tab')) ? (params.get('tab') as TabId) : 'chat';
  const [deleting, setDeleting] = useState(false);
  const agent = useQuery({
    queryKey: ['agent', id],
    queryFn: () => unwrap(api.GET('/api/v1/agents/{id}', { params: { path: { id } } })),
  });
  const remove = useMutation({
    mutationFn: () => unwrap(api.DELETE('/api/v1/agents/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      void queries.invalidateQueries({ queryKey: ['agents'] });
      void navigate('/agents');
    },
  });

  if (ApiError.isMissing(agent.error)) return <NotFound what="agent" />;
  if (agent.error) return <ErrorNote error={agent.error} />;
  if (!agent.data) return <Loading />;
  const a = agent.data;
  return (
    <div className="stack">
      <div className="small">
        <Link to="/agents">← Agents</Link>
      </div>
      <PageHeader
        title={a.name}
        actions={
          session.can('member') ? (
            <Button variant="danger" onClick={() => setDeleting(true)}>
              Delete agent
            </Button>
          ) : null
        }
      />
      {a.description ? <p className="muted">{a.description}</p> : null}
      <div className="tabs" role="tablist" aria-label="Agent">
        {TABS.map((t) => (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={`agent-tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={tab === t.id || t.id === 'chat' ? `agent-panel-${t.id}` : undefined}
            className="tab"
            onClick={() => setParams(t.id === 'chat' ? {} : { tab: t.id }, { replace: true })}
          >
            {t.label}
          </button>
        ))}
      </div>
      {/* The chat stays mounted while another tab shows: a turn keeps streaming, its text is kept. */}
      <section role="tabpanel" id="agent-panel-chat" aria-labelledby="agent-tab-chat" hidden={tab !== 'chat'}>
        <ChatPanel agentId={a.id} />
      </section>
      {tab !== 'chat' ? (
        <section role="tabpanel" id={`agent-panel-${tab}`} aria-labelledby={`agent-tab-${tab}`}>
          {tab === 'blocks' ? <BlocksPanel agentId={a.id} /> : null}
          {tab === 'settings' ? <SettingsPanel agent={a} /> : null}
          {tab === 'log' ? <MessageLog agentId={a.id} /> : null}
        </section>
      ) : null}
      <ConfirmDialog
        open={deleting}
        title="Delete agent"
        message={
          <>
            Delete <strong>{a.name}</strong> and its conversation log? Its blocks are detached and kept.
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
