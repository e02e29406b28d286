import { useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { useSession } from '../../auth/session';
import {
  Button,
  Dialog,
  Empty,
  ErrorNote,
  Field,
  Input,
  Loading,
  PageHeader,
  TextArea,
  formatTime,
} from '../../ui/kit';
import { ModelFields } from './ModelFields';
import { modelForm, modelOf } from './model';
import './agents.css';

/** The organization's agents, and a form to create one. */
export function AgentsPage() {
  const session = useSession();
  const [creating, setCreating] = useState(false);
  const agents = useQuery({
    queryKey: ['agents'],
    queryFn: () => unwrap(api.GET('/api/v1/agents', { params: { query: { limit: 100 } } })),
  });
  return (
    <div className="stack">
      <PageHeader
        title="Agents"
        actions={
          session.can('member') ? (
            <Button variant="primary" onClick={() => setCreating(true)}>
              New agent
            </Button>
          ) : null
        }
      />
      {agents.isPending ? <Loading /> : null}
      <ErrorNote error={agents.error} />
      {agents.data && agents.data.data.length === 0 ? <Empty>No agents yet.</Empty> : null}
      {agents.data && agents.data.data.length > 0 ? (
        <div className="table-wrap card">
          <table className="table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Model</th>
                <th>Blocks</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {agents.data.data.map((a) => (
                <tr key={a.id}>
                  <td>
                    <Link to={`/agents/${a.id}`}>{a.name}</Link>
                    {a.description ? <div className="muted small">{a.description}</div> : null}
                  </td>
                  <td className="mono small">
                    {[a.model.provider, a.model.model].filter(Boolean).join(' / ') || 'server default'}
                  </td>
                  <td>{a.blocks.map((b) => b.label).join(', ')}</td>
                  <td className="small">{formatTime(a.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {session.can('member') ? <CreateAgentDialog open={creating} onClose={() => setCreating(false)} /> : null}
    </div>
  );
}

function CreateAgentDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [system, setSystem] = useState('');
  const [model, setModel] = useState(modelForm(undefined));
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/agents', {
          body: { name: name.trim(), ...(system.trim() ? { system } : {}), model: modelOf(model) },
        }),
      ),
    onSuccess: (agent) => {
      void queries.invalidateQueries({ queryKey: ['agents'] });
      onClose();
      void navigate(`/agents/${agent.id}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  return (
    <Dialog open={open} title="New agent" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <Field label="Name">
          <Input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </Field>
        <Field label="System prompt">
          <TextArea value={system} onChange={(e) => setSystem(e.target.value)} rows={4} />
        </Field>
        <ModelFields value={model} onChange={setModel} />
        <ErrorNote error={create.error} />
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={create.isPending || !name.trim()}>
            Create agent
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
