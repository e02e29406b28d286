import { Field, Input, Select } from '../../ui/kit';
import { PROVIDERS } from './model';
import type { ModelForm } from './model';

/** The inputs of an agent's model settings; blank means the server's default. The ranges are the API's to check (its refusal names the field). */
export function ModelFields({
  value,
  onChange,
  disabled,
}: {
  value: ModelForm;
  onChange: (next: ModelForm) => void;
  disabled?: boolean;
}) {
  const set = (key: keyof ModelForm) => (e: { target: { value: string } }) =>
    onChange({ ...value, [key]: e.target.value });
  return (
    <div className="agent-model-grid">
      <Field label="Provider">
        <Select value={value.provider} onChange={set('provider')} disabled={disabled}>
          <option value="">Server default</option>
          {PROVIDERS.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </Select>
      </Field>
      <Field label="Model">
        <Input value={value.model} onChange={set('model')} placeholder="server default" disabled={disabled} />
      </Field>
      <Field label="Temperature" hint="0 to 2">
        <Input type="number" step="0.1" value={value.temperature} onChange={set('temperature')} disabled={disabled} />
      </Field>
      <Field label="Max tokens" hint="of one reply, at least 16">
        <Input type="number" value={value.maxTokens} onChange={set('maxTokens')} disabled={disabled} />
      </Field>
      <Field label="Context window" hint="prompt + reply tokens, at least 1024">
        <Input type="number" value={value.contextWindow} onChange={set('contextWindow')} disabled={disabled} />
      </Field>
      <Field label="Max steps" hint="LLM calls per turn, 1 to 50">
        <Input type="number" value={value.maxSteps} onChange={set('maxSteps')} disabled={disabled} />
      </Field>
    </div>
  );
}
