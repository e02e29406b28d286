import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import { Button, ConfirmDialog, ErrorNote } from '../../ui/kit';
import { describeScope, memoryKeys } from './api';
import type { ScopeFilter } from './api';

/** Deletes every memory of the scope the list is narrowed to, after a confirmation naming it. */
export function DeleteScopeButton({ scope, onDeleted }: { scope: ScopeFilter; onDeleted: () => void }) {
  const queries = useQueryClient();
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [deleted, setDeleted] = useState<number | null>(null);
  const name = describeScope(scope);
  if (!name) return deleted !== null ? <span className="muted small">Deleted {deleted} memories.</span> : null;

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      const result = await unwrap(api.DELETE('/api/v1/memories', { params: { query: scope } }));
      setDeleted(result.deleted);
      setOpen(false);
      await queries.invalidateQueries({ queryKey: memoryKeys.all });
      onDeleted();
    } catch (e) {
      setError(e);
      setOpen(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Button variant="danger" onClick={() => setOpen(true)}>
        Delete scope
      </Button>
      <ConfirmDialog
        open={open}
        title="Delete this scope's memories?"
        message={
          <>
            Every memory of <strong>{name}</strong> will be deleted (their history stays readable). This cannot be
            undone.
          </>
        }
        confirmLabel="Delete all"
        busy={busy}
        onConfirm={() => void confirm()}
        onClose={() => setOpen(false)}
      />
      {error ? <ErrorNote error={error} /> : null}
    </>
  );
}
