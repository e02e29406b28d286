import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Block } from '../../api/types';
import { useSession } from '../../auth/session';
import { Badge, Button, Empty, ErrorNote, Field, Input, Loading, Select } from '../../ui/kit';

/** The agent's core memory: each block's value with its character limit; attach and detach shared blocks. */
export function BlocksPanel({ agentId }: { agentId: string }) {
  const session = useSession();
  const canEdit = session.can('member');
  const blocks = useQuery({
    queryKey: ['agent', agentId, 'blocks'],
    queryFn: () => unwrap(api.GET('/api/v1/agents/{id}/blocks', { params: { path: { id: agentId } } })),
  });
  if (blocks.isPending) return <Loading />;
  if (blocks.error) return <ErrorNote error={blocks.error} />;
  return (
    <div className="stack">
      {blocks.data.length === 0 ? <Empty>This agent has no core memory blocks.</Empty> : null}
      {blocks.data.map((b) => (
        <BlockEditor key={b.id} agentId={agentId} block={b} canEdit={canEdit} />
      ))}
      {canEdit ? <AddBlock agentId={agentId} attached={blocks.data} /> : null}
    </div>
  );
}

function BlockEditor({ agentId, block, canEdit }: { agentId: string; block: Block; canEdit: boolean }) {
  const queries = useQueryClient();
  const [value, setValue] = useState(block.value);
  const [prevStored, setPrevStored] = useState(block.value);
  const counterId = useId();
  const inputId = useId();
  // A newer stored value (saved here, or by the agent) replaces the draft when the draft was not changed.
  if (block.value !== prevStored) {
    setPrevStored(block.value);
    if (value === prevStored) setValue(block.value);
  }
  const refresh = () => queries.invalidateQueries({ queryKey: ['agent', agentId] });
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/agents/{id}/blocks/{label}', {
          params: { path: { id: agentId, label: block.label } },
          body: { value },
        }),
      ),
    onSuccess: () => void refresh(),
  });
  const detach = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/agents/{id}/blocks/detach/{blockId}', {
          params: { path: { id: agentId, blockId: block.id } },
        }),
      ),
    onSuccess: () => void refresh(),
  });
  const over = value.length > block.limit;
  const shared = block.agentIds.length > 1;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card stack block-card" onSubmit={submit} data-testid={`block-${block.label}`}>
      <div className="row">
        <label htmlFor={inputId} className="block-label">
          {block.label}
        </label>
        {shared ? (
          <Badge tone="info" title={`Attached to ${block.agentIds.length} agents; an edit changes it for all`}>
            shared
          </Badge>
        ) : null}
        {block.readOnly ? (
          <Badge tone="warn" title="The agent may not edit it (the API still may)">
            read-only
          </Badge>
        ) : null}
      </div>
      {block.description ? <p className="muted small">{block.description}</p> : null}
      <div className="field">
        <textarea
          id={inputId}
          className="input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          readOnly={!canEdit}
          rows={Math.min(12, Math.max(3, value.split('\n').length + 1))}
          aria-describedby={counterId}
        />
        <span id={counterId} className={over ? 'field-hint over' : 'field-hint'} data-testid="block-counter">
          {value.length} / {block.limit}
        </span>
      </div>
      <ErrorNote error={save.error ?? detach.error} />
      {canEdit ? (
        <div className="row end">
          {save.isSuccess && value === block.value ? (
            <span className="muted small" role="status">
              Saved
            </span>
          ) : null}
          <Button variant="ghost" onClick={() => detach.mutate()} disabled={detach.isPending}>
            Detach
          </Button>
          <Button type="submit" variant="primary" disabled={save.isPending || value === block.value}>
            Save {block.label}
          </Button>
        </div>
      ) : null}
    </form>
  );
}

/** A new block for this agent, or an existing (shared) block of the organization attached to it. */
function AddBlock({ agentId, attached }: { agentId: string; attached: Block[] }) {
  const queries = useQueryClient();
  const [label, setLabel] = useState('');
  const [limit, setLimit] = useState('5000');
  const [chosen, setChosen] = useState('');
  const all = useQuery({
    queryKey: ['blocks'],
    queryFn: () => unwrap(api.GET('/api/v1/blocks', { params: { query: { limit: 100 } } })),
  });
  const refresh = () => {
    void queries.invalidateQueries({ queryKey: ['agent', agentId] });
    void queries.invalidateQueries({ queryKey: ['blocks'] });
  };
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/agents/{id}/blocks', {
          params: { path: { id: agentId } },
          body: { label: label.trim(), limit: Number(limit) },
        }),
      ),
    onSuccess: () => {
      setLabel('');
      refresh();
    },
  });
  const attach = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/agents/{id}/blocks/attach/{blockId}', {
          params: { path: { id: agentId, blockId: chosen } },
        }),
      ),
    onSuccess: () => {
      setChosen('');
      refresh();
    },
  });
  const attachable = (all.data?.data ?? []).filter((b) => !attached.some((a) => a.id === b.id));
  return (
    <div className="grid-2">
      <form
        className="card stack"
        aria-label="New block"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <h3>New block</h3>
        <div className="row">
          <Field label="Label">
            <Input value={label} onChange={(e) => setLabel(e.target.value)} required />
          </Field>
          <Field label="Limit">
            <Input type="number" min={1} value={limit} onChange={(e) => setLimit(e.target.value)} />
          </Field>
        </div>
        <ErrorNote error={create.error} />
        <div className="row end">
          <Button type="submit" disabled={create.isPending || !label.trim()}>
            Add block
          </Button>
        </div>
      </form>
      <form
        className="card stack"
        aria-label="Attach a shared block"
        onSubmit={(e) => {
          e.preventDefault();
          attach.mutate();
        }}
      >
        <h3>Attach a shared block</h3>
        <Field label="Block">
          <Select value={chosen} onChange={(e) => setChosen(e.target.value)}>
            <option value="">Choose…</option>
            {attachable.map((b) => (
              <option key={b.id} value={b.id}>
                {b.label} ({b.agentIds.length} agent{b.agentIds.length === 1 ? '' : 's'})
              </option>
            ))}
          </Select>
        </Field>
        <ErrorNote error={attach.error ?? all.error} />
        <div className="row end">
          <Button type="submit" disabled={attach.isPending || !chosen}>
            Attach
          </Button>
        </div>
      </form>
    </div>
  );
}
