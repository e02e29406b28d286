import { useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Tool } from '../../api/types';
import { Button, ErrorNote, Field, Input, TextArea } from '../../ui/kit';
import { CodeEditor } from './CodeEditor';
import { parseJsonObject } from '../../ui/json';

const NEW_SOURCE =
  '// The body of async function (args) { … }, or an ES module exporting one function.\nreturn args;\n';
const NEW_PARAMETERS = '{\n  "type": "object",\n  "properties": {},\n  "required": []\n}\n';

/**
 * A tool's name, description, source and parameters schema: creates a tool (no `tool`) or
 * changes one. Read-only (and without its save button) when `canEdit` is false.
 */
export function ToolEditor({
  tool,
  canEdit,
  onSaved,
}: {
  tool?: Tool;
  canEdit: boolean;
  onSaved: (tool: Tool) => void;
}) {
  const queries = useQueryClient();
  const [name, setName] = useState(tool?.name ?? '');
  const [description, setDescription] = useState(tool?.description ?? '');
  const [tags, setTags] = useState((tool?.tags ?? []).join(', '));
  const [timeoutMs, setTimeoutMs] = useState(String(tool?.timeoutMs ?? 5000));
  const [source, setSource] = useState(tool?.sourceCode ?? NEW_SOURCE);
  const [parameters, setParameters] = useState(tool ? JSON.stringify(tool.parameters, null, 2) : NEW_PARAMETERS);
  const [invalid, setInvalid] = useState<unknown>(null);
  const save = useMutation({
    mutationFn: (params: Record<string, unknown>) => {
      const body = {
        name: name.trim(),
        description,
        sourceCode: source,
        parameters: params,
        tags: tags
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
        timeoutMs: Number(timeoutMs),
      };
      return tool
        ? unwrap(api.PATCH('/api/v1/tools/{id}', { params: { path: { id: tool.id } }, body }))
        : unwrap(api.POST('/api/v1/tools', { body }));
    },
    onSuccess: (saved) => {
      queries.setQueryData(['tool', saved.id], saved);
      void queries.invalidateQueries({ queryKey: ['tools'] });
      onSaved(saved);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setInvalid(null);
    let params: Record<string, unknown>;
    try {
      params = parseJsonObject(parameters, 'parameters');
    } catch (error) {
      setInvalid(error);
      return;
    }
    save.mutate(params);
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label={tool ? 'Edit tool' : 'New tool'}>
      <div className="tool-meta-grid">
        <Field label="Name" hint="a function name: letters, digits, _">
          <Input value={name} onChange={(e) => setName(e.target.value)} readOnly={!canEdit} required />
        </Field>
        <Field label="Tags" hint="comma-separated">
          <Input value={tags} onChange={(e) => setTags(e.target.value)} readOnly={!canEdit} />
        </Field>
        <Field label="Timeout (ms)">
          <Input
            type="number"
            min={1}
            max={60000}
            value={timeoutMs}
            onChange={(e) => setTimeoutMs(e.target.value)}
            readOnly={!canEdit}
          />
        </Field>
      </div>
      <Field label="Description" hint="tells the model what the tool does and when to use it">
        <TextArea value={description} onChange={(e) => setDescription(e.target.value)} readOnly={!canEdit} rows={2} />
      </Field>
      <div className="tool-code-grid">
        <div className="field">
          <span className="field-label">Source</span>
          <CodeEditor value={source} onChange={setSource} language="javascript" label="Source" readOnly={!canEdit} />
          <span className="field-hint">
            JavaScript: the body of <code>async function (args)</code>, or a module exporting one function. No imports.
          </span>
        </div>
        <div className="field">
          <span className="field-label">Parameters (JSON Schema)</span>
          <CodeEditor
            value={parameters}
            onChange={setParameters}
            language="json"
            label="Parameters (JSON Schema)"
            readOnly={!canEdit}
          />
          <span className="field-hint">draft-07, of the tool's one object argument</span>
        </div>
      </div>
      <ErrorNote error={invalid ?? save.error} />
      {canEdit ? (
        <div className="row end">
          {save.isSuccess && !save.isPending ? (
            <span className="muted small" role="status">
              Saved
            </span>
          ) : null}
          <Button type="submit" variant="primary" disabled={save.isPending}>
            {tool ? 'Save tool' : 'Create tool'}
          </Button>
        </div>
      ) : null}
    </form>
  );
}
