import { useId, useState } from 'react';
import type { FormEvent } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { Tool } from '../../api/types';
import { Badge, Button, ErrorNote, Field, Input, Select, TextArea } from '../../ui/kit';
import { argsOf, runFieldsOf } from './run-form';
import type { RunField } from './run-form';

/** A form generated from the tool's parameters schema; runs the tool and shows its result or error. */
export function RunForm({ tool }: { tool: Tool }) {
  const queries = useQueryClient();
  const fields = runFieldsOf(tool.parameters);
  const [values, setValues] = useState<Record<string, string>>({});
  const [rawArgs, setRawArgs] = useState('{}');
  const [formError, setFormError] = useState<unknown>(null);
  const run = useMutation({
    mutationFn: (args: Record<string, unknown>) =>
      unwrap(api.POST('/api/v1/tools/{id}/run', { params: { path: { id: tool.id } }, body: { args } })),
    onSettled: () => void queries.invalidateQueries({ queryKey: ['tool', tool.id, 'runs'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFormError(null);
    let args: Record<string, unknown>;
    try {
      args = fields ? argsOf(fields, values) : (JSON.parse(rawArgs) as Record<string, unknown>);
    } catch (error) {
      setFormError(error instanceof SyntaxError ? new Error('The arguments must be JSON') : error);
      return;
    }
    run.mutate(args);
  };
  const result = run.data;
  return (
    <form className="card stack" onSubmit={submit} aria-label="Run the tool">
      <h2>Run</h2>
      {fields ? (
        fields.length === 0 ? (
          <p className="muted small">This tool takes no arguments.</p>
        ) : (
          <div className="tool-run-grid">
            {fields.map((f) => (
              <RunInput
                key={f.name}
                field={f}
                value={values[f.name] ?? ''}
                onChange={(v) => setValues((all) => ({ ...all, [f.name]: v }))}
              />
            ))}
          </div>
        )
      ) : (
        <Field label="Arguments (JSON)">
          <TextArea className="input mono" value={rawArgs} onChange={(e) => setRawArgs(e.target.value)} rows={4} />
        </Field>
      )}
      <ErrorNote error={formError ?? run.error} />
      <div className="row end">
        <Button type="submit" variant="primary" disabled={run.isPending}>
          {run.isPending ? 'Running…' : 'Run tool'}
        </Button>
      </div>
      {result ? (
        <div className="stack tool-result" data-testid="run-result" aria-live="polite">
          <div className="row">
            <Badge tone={result.status === 'ok' ? 'good' : 'bad'}>{result.status}</Badge>
            <span className="muted small">
              {result.durationMs} ms wall, {result.cpuMs} ms CPU
            </span>
          </div>
          {result.status === 'ok' ? (
            <pre className="tool-output" data-testid="run-output">
              {JSON.stringify(result.result, null, 2)}
            </pre>
          ) : (
            <div className="note note-error" role="alert">
              {result.error}
            </div>
          )}
          {result.logs.length > 0 ? (
            <details>
              <summary>Console output ({result.logs.length})</summary>
              <pre className="tool-output">{result.logs.join('\n')}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
    </form>
  );
}

/** One argument's input; its label is the property's name (required ones marked), its hint the type. */
function RunInput({ field, value, onChange }: { field: RunField; value: string; onChange: (v: string) => void }) {
  const id = useId();
  const hintId = useId();
  const hint = [field.kind === 'json' ? 'JSON' : field.kind, field.required ? 'required' : null, field.description]
    .filter(Boolean)
    .join(' · ');
  const common = { id, 'aria-describedby': hintId, 'aria-required': field.required, required: field.required };
  return (
    <div className="field">
      <span className="field-label">
        <label htmlFor={id} className="mono">
          {field.name}
        </label>
        {field.required ? (
          <span className="required-mark" title="required">
            {' '}
            *
          </span>
        ) : null}
      </span>
      {field.kind === 'string' ? <Input value={value} onChange={(e) => onChange(e.target.value)} {...common} /> : null}
      {field.kind === 'number' || field.kind === 'integer' ? (
        <Input
          type="number"
          step={field.kind === 'integer' ? 1 : 'any'}
          value={value}
          onChange={(e) => onChange(e.target.value)}
          {...common}
        />
      ) : null}
      {field.kind === 'boolean' ? (
        <Select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
          <option value="">—</option>
          <option value="true">true</option>
          <option value="false">false</option>
        </Select>
      ) : null}
      {field.kind === 'enum' ? (
        <Select value={value} onChange={(e) => onChange(e.target.value)} {...common}>
          <option value="">—</option>
          {field.options?.map((o, i) => (
            <option key={i} value={String(i)}>
              {typeof o === 'string' ? o : JSON.stringify(o)}
            </option>
          ))}
        </Select>
      ) : null}
      {field.kind === 'json' ? (
        <TextArea
          className="input mono"
          value={value}
          onChange={(e) => onChange(e.target.value)}
          rows={3}
          {...common}
        />
      ) : null}
      <span id={hintId} className="field-hint">
        {hint}
      </span>
    </div>
  );
}
