import { useEffect, useState } from 'react';
import type { FormEvent } from 'react';
import { Link } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Memory } from '../../api/types';
import { Button, Empty, ErrorNote, Field, Input, Loading, Select, formatTime } from '../../ui/kit';
import { MEMORY_TYPES, isoOf, listMemories, localOf, memoryKeys } from './api';
import type { BrowseFilter } from './api';

/** The scope ids a memory belongs to, as badges. */
export function ScopeBadges({ memory }: { memory: Pick<Memory, 'userId' | 'agentId' | 'runId'> }) {
  return (
    <span className="scope-badges">
      {memory.userId ? <span className="scope-badge">user {memory.userId}</span> : null}
      {memory.agentId ? <span className="scope-badge">agent {memory.agentId}</span> : null}
      {memory.runId ? <span className="scope-badge">run {memory.runId}</span> : null}
    </span>
  );
}

const SCOPE_FIELD = { user: 'userId', agent: 'agentId', run: 'runId' } as const;

/** The scopes memories belong to (GET /memories/scopes), each a link narrowing the list to it. */
function ScopeList({ filter, onFilter }: { filter: BrowseFilter; onFilter: (f: BrowseFilter) => void }) {
  const scopes = useQuery({
    queryKey: memoryKeys.scopes,
    queryFn: () => unwrap(api.GET('/api/v1/memories/scopes', { params: { query: { limit: 100 } } })),
  });
  return (
    <nav className="card stack scope-list" aria-label="Scopes">
      <h2>Scopes</h2>
      {scopes.isPending ? <Loading /> : null}
      <ErrorNote error={scopes.error} />
      {scopes.data?.data.length === 0 ? <p className="muted small">No memories yet.</p> : null}
      <ul>
        <li>
          <button
            type="button"
            className="scope-link"
            aria-current={!filter.userId && !filter.agentId && !filter.runId ? 'true' : undefined}
            onClick={() => onFilter({ type: filter.type })}
          >
            All memories
          </button>
        </li>
        {scopes.data?.data.map((s) => {
          const field = SCOPE_FIELD[s.type];
          const current = filter[field] === s.id;
          return (
            <li key={`${s.type}:${s.id}`}>
              <button
                type="button"
                className="scope-link"
                aria-current={current ? 'true' : undefined}
                onClick={() => onFilter({ [field]: s.id, type: filter.type })}
              >
                <span className="muted small">{s.type}</span> {s.id} <span className="count">{s.memories}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {scopes.data && scopes.data.total > scopes.data.data.length ? (
        <p className="muted small">
          The {scopes.data.data.length} most recent of {scopes.data.total}; type an id in the filters for the others.
        </p>
      ) : null}
    </nav>
  );
}

/** Whether the screen is wider than a phone's (where the filters start folded, below the list's top). */
function wide(): boolean {
  return typeof window === 'undefined' || window.matchMedia('(min-width: 801px)').matches;
}

/** The list's filters: scope ids, type, creation time range (applied on submit). */
function FilterForm({ filter, onFilter }: { filter: BrowseFilter; onFilter: (f: BrowseFilter) => void }) {
  const [draft, setDraft] = useState(filter);
  useEffect(() => setDraft(filter), [filter]);
  const set = (key: keyof BrowseFilter, value: string) => setDraft((d) => ({ ...d, [key]: value || undefined }));

  function submit(event: FormEvent) {
    event.preventDefault();
    onFilter({ ...draft, userId: draft.userId?.trim(), agentId: draft.agentId?.trim(), runId: draft.runId?.trim() });
  }

  const active = Object.values(filter).filter(Boolean).length;
  return (
    <details className="card filter-details" open={wide()}>
      <summary>Filters{active ? ` (${active} active)` : ''}</summary>
      <form className="filter-form" onSubmit={submit} aria-label="Filter memories">
        <Field label="User id">
          <Input value={draft.userId ?? ''} onChange={(e) => set('userId', e.target.value)} />
        </Field>
        <Field label="Agent id">
          <Input value={draft.agentId ?? ''} onChange={(e) => set('agentId', e.target.value)} />
        </Field>
        <Field label="Run id">
          <Input value={draft.runId ?? ''} onChange={(e) => set('runId', e.target.value)} />
        </Field>
        <Field label="Type">
          <Select value={draft.type ?? ''} onChange={(e) => set('type', e.target.value)}>
            <option value="">any</option>
            {MEMORY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Created after">
          <Input
            type="datetime-local"
            value={localOf(draft.createdAfter)}
            onChange={(e) => set('createdAfter', isoOf(e.target.value) ?? '')}
          />
        </Field>
        <Field label="Created before">
          <Input
            type="datetime-local"
            value={localOf(draft.createdBefore)}
            onChange={(e) => set('createdBefore', isoOf(e.target.value) ?? '')}
          />
        </Field>
        <div className="row filter-actions">
          <Button type="submit" variant="primary">
            Apply filters
          </Button>
          <Button onClick={() => onFilter({})}>Clear</Button>
        </div>
      </form>
    </details>
  );
}

/** Memories of the filter, a page at a time (newest first, as the API lists them). */
function MemoryTable({ filter }: { filter: BrowseFilter }) {
  // The cursors of the pages before this one, to go back.
  // Its parent keys it by the filter: a new filter starts again at the first page.
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const page = useQuery({
    queryKey: memoryKeys.list(filter, cursor),
    queryFn: () => listMemories(filter, cursor),
    placeholderData: (previous) => previous,
  });
  const next = page.data?.nextCursor ?? null;

  return (
    <section className="card stack" aria-label="Memory list">
      <ErrorNote error={page.error} />
      {page.isPending ? <Loading /> : null}
      {page.data && page.data.data.length === 0 ? <Empty>No memories match.</Empty> : null}
      {page.data && page.data.data.length > 0 ? (
        <div className="table-wrap">
          <table className="table memory-table">
            <thead>
              <tr>
                <th scope="col">Memory</th>
                <th scope="col">Scope</th>
                <th scope="col">Type</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((m) => (
                <tr key={m.id} data-testid="memory-row">
                  <td>
                    <Link to={`/memories/${m.id}`}>{m.memory}</Link>
                  </td>
                  <td>
                    <ScopeBadges memory={m} />
                  </td>
                  <td>{m.type}</td>
                  <td className="nowrap small">{formatTime(m.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <div className="row end">
        <span className="muted small">Page {cursors.length}</span>
        <Button disabled={cursors.length === 1} onClick={() => setCursors((c) => c.slice(0, -1))}>
          Previous page
        </Button>
        <Button disabled={!next} onClick={() => next && setCursors((c) => [...c, next])}>
          Next page
        </Button>
      </div>
    </section>
  );
}

export function BrowsePanel({ filter, onFilter }: { filter: BrowseFilter; onFilter: (f: BrowseFilter) => void }) {
  return (
    <div className="grid-sidebar">
      <ScopeList filter={filter} onFilter={onFilter} />
      <div className="stack">
        <FilterForm filter={filter} onFilter={onFilter} />
        <MemoryTable key={JSON.stringify(filter)} filter={filter} />
      </div>
    </div>
  );
}
