import { useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Agent } from '../../api/types';
import { useSession } from '../../auth/session';
import { Button, ErrorNote, Field, Input, TextArea } from '../../ui/kit';
import { ModelFields } from './ModelFields';
import { modelForm, modelOf } from './model';

/** The agent's name, system prompt and model settings; read-only for viewers. */
export function SettingsPanel({ agent }: { agent: Agent }) {
  const session = useSession();
  const canEdit = session.can('member');
  const queries = useQueryClient();
  const [name, setName] = useState(agent.name);
  const [system, setSystem] = useState(agent.system ?? '');
  const [model, setModel] = useState(modelForm(agent.model));
  const save = useMutation({
    mutationFn: () =>
      unwrap(
        api.PATCH('/api/v1/agents/{id}', {
          params: { path: { id: agent.id } },
          body: { name: name.trim(), system: system === '' ? null : system, model: modelOf(model) },
        }),
      ),
    onSuccess: (saved) => {
      queries.setQueryData(['agent', agent.id], saved);
      void queries.invalidateQueries({ queryKey: ['agents'] });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Agent settings">
      <Field label="Name">
        <Input value={name} onChange={(e) => setName(e.target.value)} readOnly={!canEdit} required />
      </Field>
      <Field label="System prompt">
        <TextArea value={system} onChange={(e) => setSystem(e.target.value)} readOnly={!canEdit} rows={5} />
      </Field>
      <h3>Model</h3>
      <ModelFields value={model} onChange={setModel} disabled={!canEdit} />
      <ErrorNote error={save.error} />
      {canEdit ? (
        <div className="row end">
          {save.isSuccess && !save.isPending ? (
            <span className="muted small" role="status">
              Saved
            </span>
          ) : null}
          <Button type="submit" variant="primary" disabled={save.isPending}>
            Save settings
          </Button>
        </div>
      ) : null}
    </form>
  );
}
