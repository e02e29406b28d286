import { useEffect, useState } from 'react';
import type { FormEvent, ReactNode } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, unwrap } from '../../api/client';
import type { Memory } from '../../api/types';
import { useSession } from '../../auth/session';
import {
  Button,
  ConfirmDialog,
  ErrorNote,
  Field,
  Input,
  Loading,
  NotFound,
  PageHeader,
  Select,
  TextArea,
  formatTime,
} from '../../ui/kit';
import { ScopeBadges } from './BrowsePanel';
import { HistoryList } from './HistoryList';
import { MEMORY_TYPES, getMemory, memoryKeys } from './api';
import { parseJsonObject } from '../../ui/json';
import { useMemoryUpdates } from './live';
import './memories.css';

function Fields({ memory }: { memory: Memory }) {
  const rows: [string, ReactNode][] = [
    ['Scope', <ScopeBadges key="scope" memory={memory} />],
    ['Type', memory.type],
    ['Importance', memory.importance],
    ['Metadata', <code key="metadata">{JSON.stringify(memory.metadata)}</code>],
    ['Retrieved', `${memory.accessCount} times (last ${formatTime(memory.lastAccessedAt)})`],
    ['Expires', formatTime(memory.expiresAt)],
    ['Created', formatTime(memory.createdAt)],
    ['Updated', formatTime(memory.updatedAt)],
    ['Id', <code key="id">{memory.id}</code>],
  ];
  return (
    <dl className="fields">
      {rows.map(([label, value]) => (
        <div key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** PATCH /memories/:id: text, type, importance, metadata (each change lands in the history). */
function EditForm({ memory, onDone }: { memory: Memory; onDone: () => void }) {
  const queries = useQueryClient();
  const [content, setContent] = useState(memory.memory);
  const [type, setType] = useState(memory.type);
  const [importance, setImportance] = useState(String(memory.importance));
  const [metadata, setMetadata] = useState(JSON.stringify(memory.metadata, null, 2));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = {};
      if (content !== memory.memory) body.content = content;
      if (type !== memory.type) body.type = type;
      if (Number(importance) !== memory.importance) body.importance = Number(importance);
      const meta = parseJsonObject(metadata, 'metadata');
      if (JSON.stringify(meta) !== JSON.stringify(memory.metadata)) body.metadata = meta;
      if (Object.keys(body).length > 0) {
        const updated = await unwrap(api.PATCH('/api/v1/memories/{id}', { params: { path: { id: memory.id } }, body }));
        queries.setQueryData(memoryKeys.one(memory.id), updated);
        await queries.invalidateQueries({ queryKey: memoryKeys.all });
      }
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="stack" onSubmit={(e) => void submit(e)} aria-label="Edit memory">
      <Field label="Text">
        <TextArea required value={content} onChange={(e) => setContent(e.target.value)} />
      </Field>
      <div className="scope-line">
        <Field label="Type">
          <Select value={type} onChange={(e) => setType(e.target.value as Memory['type'])}>
            {MEMORY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Importance" hint="0 to 1">
          <Input
            type="number"
            min={0}
            max={1}
            step={0.05}
            value={importance}
            onChange={(e) => setImportance(e.target.value)}
          />
        </Field>
      </div>
      <Field label="Metadata (JSON object)">
        <TextArea className="input mono" rows={4} value={metadata} onChange={(e) => setMetadata(e.target.value)} />
      </Field>
      <ErrorNote error={error} />
      <div className="row end">
        <Button onClick={onDone}>Cancel</Button>
        <Button type="submit" variant="primary" disabled={busy}>
          Save
        </Button>
      </div>
    </form>
  );
}

/** One memory: its fields, edit and delete (members and up), and its history as word diffs. */
export function MemoryDetail() {
  const { id = '' } = useParams();
  const session = useSession();
  const canWrite = session.can('member');
  const navigate = useNavigate();
  const queries = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<unknown>(null);
  useMemoryUpdates();
  useEffect(() => setEditing(false), [id]);

  const memory = useQuery({
    queryKey: memoryKeys.one(id),
    queryFn: () => getMemory(id),
    retry: (count, e) => !(e instanceof ApiError && e.status < 500) && count < 2,
  });

  if (memory.isPending) return <Loading />;
  // A malformed id (400, the only input of this request) is as unknown as a foreign one (404).
  if (ApiError.isMissing(memory.error)) return <NotFound what="memory" />;
  if (memory.error) return <ErrorNote error={memory.error} />;
  const m = memory.data;

  async function remove() {
    setDeleting(true);
    setDeleteError(null);
    try {
      await unwrap(api.DELETE('/api/v1/memories/{id}', { params: { path: { id } } }));
      setConfirming(false);
      queries.removeQueries({ queryKey: memoryKeys.one(id) });
      await navigate('/memories');
    } catch (e) {
      setDeleteError(e);
      setConfirming(false);
    } finally {
      setDeleting(false);
    }
  }

  return (
    <div className="stack">
      <p className="small">
        <Link to="/memories">← Memories</Link>
      </p>
      <PageHeader
        title="Memory"
        actions={
          canWrite && !editing ? (
            <>
              <Button onClick={() => setEditing(true)}>Edit</Button>
              <Button variant="danger" onClick={() => setConfirming(true)}>
                Delete
              </Button>
            </>
          ) : null
        }
      />
      <ErrorNote error={deleteError} />
      <div className="grid-2 memory-detail">
        <section className="card stack" aria-label="Memory">
          {editing && canWrite ? (
            <EditForm memory={m} onDone={() => setEditing(false)} />
          ) : (
            <>
              <p className="memory-text" data-testid="memory-text">
                {m.memory}
              </p>
              <Fields memory={m} />
            </>
          )}
        </section>
        <HistoryList id={id} />
      </div>
      {canWrite ? (
        <ConfirmDialog
          open={confirming}
          title="Delete this memory?"
          message={`"${m.memory}" will no longer be listed or found; its history stays readable.`}
          busy={deleting}
          onConfirm={() => void remove()}
          onClose={() => setConfirming(false)}
        />
      ) : null}
    </div>
  );
}
