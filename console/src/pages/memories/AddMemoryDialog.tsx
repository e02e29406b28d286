import { useState } from 'react';
import type { FormEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Memory } from '../../api/types';
import { Button, Dialog, ErrorNote, Field, Input, Select, TextArea } from '../../ui/kit';
import { MEMORY_TYPES, memoryKeys } from './api';
import { parseJsonObject } from '../../ui/json';
import type { ScopeFilter } from './api';

/**
 * POST /memories: a text for a user, agent and/or run. Extraction by the LLM (infer) is off by
 * default: a server may have no LLM, and then the text is stored as given anyway. Mounted
 * only while open, so each opening starts afresh.
 */
export function AddMemoryDialog({
  open,
  onClose,
  defaults,
}: {
  open: boolean;
  onClose: () => void;
  defaults: ScopeFilter;
}) {
  const queries = useQueryClient();
  const [content, setContent] = useState('');
  // Opened from a scope's list, the dialog proposes that scope.
  const [scope, setScope] = useState<Required<ScopeFilter>>({
    userId: defaults.userId ?? '',
    agentId: defaults.agentId ?? '',
    runId: defaults.runId ?? '',
  });
  const [type, setType] = useState<Memory['type'] | ''>('');
  const [metadata, setMetadata] = useState('');
  const [infer, setInfer] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [outcome, setOutcome] = useState<string | null>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setOutcome(null);
    try {
      const body = {
        content,
        infer,
        ...(type ? { type } : {}),
        ...(metadata.trim() ? { metadata: parseJsonObject(metadata, 'metadata') } : {}),
        ...Object.fromEntries(
          Object.entries(scope)
            .filter(([, v]) => v.trim() !== '')
            .map(([k, v]) => [k, v.trim()]),
        ),
      };
      const result = await unwrap(api.POST('/api/v1/memories', { body }));
      await queries.invalidateQueries({ queryKey: memoryKeys.all });
      const changes = 'results' in result ? result.results : [];
      if (changes.length > 0 && changes.every((c) => c.event === 'NONE')) {
        setOutcome('Already remembered: nothing was added.');
        return;
      }
      setContent('');
      setMetadata('');
      onClose();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} title="Add a memory" onClose={onClose}>
      <form className="stack" onSubmit={(e) => void submit(e)}>
        <Field label="Text">
          <TextArea required value={content} onChange={(e) => setContent(e.target.value)} />
        </Field>
        <div className="scope-line">
          <Field label="User id">
            <Input value={scope.userId} onChange={(e) => setScope((s) => ({ ...s, userId: e.target.value }))} />
          </Field>
          <Field label="Agent id">
            <Input value={scope.agentId} onChange={(e) => setScope((s) => ({ ...s, agentId: e.target.value }))} />
          </Field>
          <Field label="Run id">
            <Input value={scope.runId} onChange={(e) => setScope((s) => ({ ...s, runId: e.target.value }))} />
          </Field>
        </div>
        <Field label="Type">
          <Select value={type} onChange={(e) => setType(e.target.value as Memory['type'] | '')}>
            <option value="">default</option>
            {MEMORY_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="Metadata (JSON object)">
          <TextArea
            className="input mono"
            rows={3}
            placeholder='{"topic": "travel"}'
            value={metadata}
            onChange={(e) => setMetadata(e.target.value)}
          />
        </Field>
        <label className="row small">
          <input type="checkbox" checked={infer} onChange={(e) => setInfer(e.target.checked)} />
          Extract facts with the LLM (infer)
        </label>
        {outcome ? <p className="note note-info">{outcome}</p> : null}
        <ErrorNote error={error} />
        <div className="row end">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            Add
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
