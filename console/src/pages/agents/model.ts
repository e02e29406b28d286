import type { AgentModel } from '../../api/types';

export const PROVIDERS = ['openai', 'openai-compatible', 'anthropic', 'google'] as const;

/** The model settings as a form holds them: text, '' meaning "the server's default". */
export interface ModelForm {
  provider: string;
  model: string;
  temperature: string;
  maxTokens: string;
  contextWindow: string;
  maxSteps: string;
}

export function modelForm(model: AgentModel | undefined): ModelForm {
  const text = (v: number | string | undefined) => (v === undefined || v === null ? '' : String(v));
  return {
    provider: model?.provider ?? '',
    model: model?.model ?? '',
    temperature: text(model?.temperature),
    maxTokens: text(model?.maxTokens),
    contextWindow: text(model?.contextWindow),
    maxSteps: text(model?.maxSteps),
  };
}

/** The settings to send: empty fields are left out (the server's defaults); the API checks the ranges. */
export function modelOf(form: ModelForm): AgentModel {
  const model: AgentModel = {};
  if (form.provider) model.provider = form.provider as AgentModel['provider'];
  if (form.model.trim()) model.model = form.model.trim();
  if (form.temperature.trim()) model.temperature = Number(form.temperature);
  if (form.maxTokens.trim()) model.maxTokens = Number(form.maxTokens);
  if (form.contextWindow.trim()) model.contextWindow = Number(form.contextWindow);
  if (form.maxSteps.trim()) model.maxSteps = Number(form.maxSteps);
  return model;
}
