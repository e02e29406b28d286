import { useState } from 'react';
import type { FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { ApiKey, CreatedApiKey } from '../../api/types';
import { useSession } from '../../auth/session';
import type { Session } from '../../auth/session';
import {
  Badge,
  Button,
  ConfirmDialog,
  Empty,
  ErrorNote,
  Field,
  Input,
  Loading,
  Select,
  formatTime,
} from '../../ui/kit';
import { atLeast, roleOfScopes } from './roles';
import type { Scope } from './roles';

const KEYS = ['api-keys'];

/**
 * Who may revoke a key, as the API decides (ApiKeysService.revoke): a key itself; admins any key;
 * anyone else the personal keys they made that reach no higher than the caller.
 */
function mayRevoke(session: Session, key: ApiKey): boolean {
  const me = session.me;
  if (!me || key.revokedAt) return false;
  if (me.apiKey?.id === key.id || session.can('admin')) return true;
  return (
    key.kind === 'personal' &&
    me.authenticatedBy === 'user' &&
    key.createdBy === me.user?.id &&
    atLeast(me.role, roleOfScopes(key.scopes))
  );
}

function status(key: ApiKey): { label: string; tone: 'good' | 'bad' | 'warn' } {
  if (key.revokedAt) return { label: 'revoked', tone: 'bad' };
  if (key.expiresAt && new Date(key.expiresAt).getTime() <= Date.now()) return { label: 'expired', tone: 'warn' };
  return { label: 'active', tone: 'good' };
}

export function ApiKeysTab() {
  const session = useSession();
  const queries = useQueryClient();
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const keys = useInfiniteQuery({
    queryKey: KEYS,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/api-keys', { params: { query: { limit: 100, cursor: pageParam } } })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/api-keys/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRevoking(null);
      void queries.invalidateQueries({ queryKey: KEYS });
    },
  });
  const list = keys.data?.pages.flatMap((p) => p.data) ?? [];

  return (
    <div className="stack">
      {session.can('member') ? (
        <CreateKey
          onCreated={(key) => {
            setCreated(key);
            void queries.invalidateQueries({ queryKey: KEYS });
          }}
        />
      ) : (
        <p className="muted">Your role ({session.me?.role}) may read the keys but not create them.</p>
      )}
      {created ? <NewKey created={created} onDone={() => setCreated(null)} /> : null}
      <ErrorNote error={keys.error} />
      {keys.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>No API keys yet.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="API keys">
            <thead>
              <tr>
                <th>Name</th>
                <th>Prefix</th>
                <th>Kind</th>
                <th>Scopes</th>
                <th>Status</th>
                <th>Expires</th>
                <th>Last used</th>
                <th>Created</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((key) => {
                const s = status(key);
                return (
                  <tr key={key.id} data-testid={`key-${key.id}`}>
                    <td>{key.name}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>{key.kind}</td>
                    <td>{key.scopes.join(', ')}</td>
                    <td>
                      <Badge tone={s.tone}>{s.label}</Badge>
                    </td>
                    <td className="small">{formatTime(key.expiresAt)}</td>
                    <td className="small">{formatTime(key.lastUsedAt)}</td>
                    <td className="small">{formatTime(key.createdAt)}</td>
                    <td>
                      {mayRevoke(session, key) ? (
                        <Button variant="danger" onClick={() => setRevoking(key)} aria-label={`Revoke ${key.name}`}>
                          Revoke
                        </Button>
                      ) : null}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {keys.hasNextPage ? (
        <Button onClick={() => void keys.fetchNextPage()} disabled={keys.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke API key"
        message={
          <>
            Revoke <strong>{revoking?.name}</strong> ({revoking?.prefix}…)? Its next request is refused; this cannot be
            undone.
            <ErrorNote error={revoke.error} />
          </>
        }
        confirmLabel="Revoke"
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onClose={() => {
          setRevoking(null);
          revoke.reset();
        }}
      />
    </div>
  );
}

function CreateKey({ onCreated }: { onCreated: (key: CreatedApiKey) => void }) {
  const session = useSession();
  const role = session.me?.role ?? 'viewer';
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  const [kind, setKind] = useState<'personal' | 'service'>('personal');
  const [expires, setExpires] = useState('');
  const offered: { scope: Scope; role: 'viewer' | 'member' | 'admin'; hint: string }[] = [
    { scope: 'read', role: 'viewer', hint: 'GET only' },
    { scope: 'write', role: 'member', hint: 'read and write data' },
    { scope: 'admin', role: 'admin', hint: 'also users and keys' },
  ];
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/v1/api-keys', {
          body: {
            name: name.trim(),
            scopes,
            ...(session.can('admin') ? { kind } : {}),
            ...(expires ? { expiresAt: new Date(expires).toISOString() } : {}),
          },
        }),
      ),
    onSuccess: (key) => {
      setName('');
      setExpires('');
      onCreated(key);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate();
  };
  const toggle = (scope: Scope) => setScopes((s) => (s.includes(scope) ? s.filter((x) => x !== scope) : [...s, scope]));

  return (
    <form className="card stack" onSubmit={submit} aria-label="Create an API key">
      <h2>Create an API key</h2>
      <div className="settings-form">
        <Field label="Name">
          <Input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </Field>
        <fieldset>
          <legend>Scopes</legend>
          <div className="settings-checks">
            {offered
              .filter((o) => atLeast(role, o.role))
              .map((o) => (
                <label key={o.scope} title={o.hint}>
                  <input type="checkbox" checked={scopes.includes(o.scope)} onChange={() => toggle(o.scope)} />
                  {o.scope}
                </label>
              ))}
          </div>
        </fieldset>
        {session.can('admin') ? (
          <Field label="Kind" hint="service: the organization's key; it outlives you">
            <Select value={kind} onChange={(e) => setKind(e.target.value as 'personal' | 'service')}>
              <option value="personal">personal</option>
              <option value="service">service</option>
            </Select>
          </Field>
        ) : null}
        <Field label="Expires" hint="Leave empty for no expiry">
          <Input type="datetime-local" value={expires} onChange={(e) => setExpires(e.target.value)} />
        </Field>
        <Button type="submit" variant="primary" disabled={create.isPending || !name.trim() || scopes.length === 0}>
          Create key
        </Button>
      </div>
      <ErrorNote error={create.error} />
    </form>
  );
}

/** The new key, shown this once (the server keeps only a hash). */
function NewKey({ created, onDone }: { created: CreatedApiKey; onDone: () => void }) {
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="card stack new-key" role="region" aria-label="New API key">
      <h2>Key “{created.name}” created</h2>
      <p className="note note-error" role="alert">
        Copy this key now: it is shown only once. The server keeps only a hash of it.
      </p>
      <code data-testid="new-key">{created.key}</code>
      <div className="row">
        <Button variant="primary" onClick={() => void copy()}>
          Copy key
        </Button>
        <Button onClick={onDone}>I have stored it</Button>
        <span role="status" className="small muted">
          {copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Copy failed: select the key and copy it by hand.' : ''}
        </span>
      </div>
    </div>
  );
}
