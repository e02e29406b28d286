import { useState } from 'react';
import type { FormEvent } from 'react';
import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Role, User } from '../../api/types';
import { useSession } from '../../auth/session';
import { Button, ConfirmDialog, Empty, ErrorNote, Field, Input, Loading, Select, formatTime } from '../../ui/kit';
import { ROLES } from './roles';

const USERS = ['users'];

/**
 * The organization's users. Admins add users, change roles and remove users; only owners touch
 * owners (the API refuses the rest, so the controls are not shown).
 */
export function MembersTab() {
  const session = useSession();
  const queries = useQueryClient();
  const isAdmin = session.can('admin');
  const isOwner = session.can('owner');
  const [removing, setRemoving] = useState<User | null>(null);
  const users = useInfiniteQuery({
    queryKey: USERS,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/v1/users', { params: { query: { limit: 100, cursor: pageParam } } })),
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const changeRole = useMutation({
    mutationFn: ({ id, role }: { id: string; role: Role }) =>
      unwrap(api.PATCH('/api/v1/users/{id}', { params: { path: { id } }, body: { role } })),
    onSettled: () => void queries.invalidateQueries({ queryKey: USERS }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => unwrap(api.DELETE('/api/v1/users/{id}', { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      void queries.invalidateQueries({ queryKey: USERS });
    },
  });
  const list = users.data?.pages.flatMap((p) => p.data) ?? [];
  const grantable = ROLES.filter((r) => isOwner || r !== 'owner');
  const manageable = (u: User) => isAdmin && (isOwner || u.role !== 'owner');

  return (
    <div className="stack">
      {isAdmin ? (
        <AddMember roles={grantable} onAdded={() => void queries.invalidateQueries({ queryKey: USERS })} />
      ) : (
        <p className="muted">Only admins add members, change roles or remove members.</p>
      )}
      <ErrorNote error={users.error} />
      <ErrorNote error={changeRole.error} />
      {users.isPending ? (
        <Loading />
      ) : list.length === 0 ? (
        <Empty>No members.</Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Members">
            <thead>
              <tr>
                <th>Name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Since</th>
                {isAdmin ? (
                  <th>
                    <span className="visually-hidden">Actions</span>
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {list.map((u) => (
                <tr key={u.id} data-testid={`user-${u.email}`}>
                  <td>{u.name}</td>
                  <td>{u.email}</td>
                  <td>
                    {manageable(u) ? (
                      <Select
                        aria-label={`Role of ${u.email}`}
                        value={u.role}
                        disabled={changeRole.isPending}
                        onChange={(e) => changeRole.mutate({ id: u.id, role: e.target.value as Role })}
                      >
                        {grantable.map((r) => (
                          <option key={r} value={r}>
                            {r}
                          </option>
                        ))}
                      </Select>
                    ) : (
                      <span data-testid="user-role">{u.role}</span>
                    )}
                  </td>
                  <td className="small">{formatTime(u.createdAt)}</td>
                  {isAdmin ? (
                    <td>
                      {manageable(u) && u.id !== session.me?.user?.id ? (
                        <Button variant="danger" onClick={() => setRemoving(u)} aria-label={`Remove ${u.email}`}>
                          Remove
                        </Button>
                      ) : null}
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {users.hasNextPage ? (
        <Button onClick={() => void users.fetchNextPage()} disabled={users.isFetchingNextPage}>
          Load more
        </Button>
      ) : null}
      <ConfirmDialog
        open={removing !== null}
        title="Remove member"
        message={
          <>
            Remove <strong>{removing?.email}</strong> from the organization? Their sessions and personal API keys stop
            working.
            <ErrorNote error={remove.error} />
          </>
        }
        confirmLabel="Remove"
        busy={remove.isPending}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => {
          setRemoving(null);
          remove.reset();
        }}
      />
    </div>
  );
}

function AddMember({ roles, onAdded }: { roles: Role[]; onAdded: () => void }) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/users', { body: { email, name, password, role } })),
    onSuccess: () => {
      setEmail('');
      setName('');
      setPassword('');
      onAdded();
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Add a member">
      <h2>Add a member</h2>
      <div className="settings-form">
        <Field label="Email">
          <Input type="email" value={email} onChange={(e) => setEmail(e.target.value)} required />
        </Field>
        <Field label="Name">
          <Input value={name} onChange={(e) => setName(e.target.value)} required />
        </Field>
        <Field label="Initial password" hint="At least 8 characters">
          <Input
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
            minLength={8}
          />
        </Field>
        <Field label="Role">
          <Select value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {roles.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </Select>
        </Field>
        <Button type="submit" variant="primary" disabled={add.isPending}>
          Add member
        </Button>
      </div>
      <ErrorNote error={add.error} />
      {add.isSuccess ? (
        <p className="note note-info" role="status">
          Added {add.data.email} as {add.data.role}.
        </p>
      ) : null}
    </form>
  );
}
