import type { AgentModelSettings } from '../../agents/entities/agent.entity.js';

type Provider = NonNullable<AgentModelSettings['provider']>;

/**
 * Letta's provider names as AgentMem's providers. The local and hosted OpenAI-compatible servers
 * Letta knows by name are all the server's OpenAI-compatible endpoint (LLM_BASE_URL).
 */
const PROVIDERS: Record<string, Provider> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google_ai: 'google',
  google: 'google',
  google_vertex: 'google',
  'openai-compatible': 'openai-compatible',
  ollama: 'openai-compatible',
  vllm: 'openai-compatible',
  lmstudio: 'openai-compatible',
  'lmstudio-chatcompletions': 'openai-compatible',
  llamacpp: 'openai-compatible',
  koboldcpp: 'openai-compatible',
  webui: 'openai-compatible',
  together: 'openai-compatible',
  groq: 'openai-compatible',
  openrouter: 'openai-compatible',
  deepseek: 'openai-compatible',
  xai: 'openai-compatible',
  mistral: 'openai-compatible',
  fireworks: 'openai-compatible',
};

/** AgentMem's providers as Letta names them in handles and llm_config.model_endpoint_type. */
const HANDLE_PREFIX: Record<Provider, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google_ai',
  'openai-compatible': 'openai-compatible',
};
const ENDPOINT_TYPE: Record<Provider, string> = {
  openai: 'openai',
  anthropic: 'anthropic',
  google: 'google_ai',
  'openai-compatible': 'openai',
};

/**
 * A Letta model handle ("provider/model-name") as model settings: `letta/…` (Letta's free
 * model) means the server's default; a handle without a provider is a model of the server's
 * provider. Returns a problem for the caller to report when the provider is unknown.
 */
export function parseModelHandle(handle: string): { provider?: Provider; model?: string } | { problem: string } {
  const slash = handle.indexOf('/');
  if (slash < 0) return { model: handle };
  const prefix = handle.slice(0, slash);
  const model = handle.slice(slash + 1);
  if (prefix === 'letta') return {};
  const provider = PROVIDERS[prefix];
  if (!provider)
    return {
      problem: `model: provider "${prefix.slice(0, 50)}" is not supported (openai, anthropic, google_ai, or an OpenAI-compatible one: ${Object.keys(
        PROVIDERS,
      )
        .filter((p) => PROVIDERS[p] === 'openai-compatible')
        .join(', ')})`,
    };
  if (!model) return { problem: 'model must be "provider/model-name"' };
  return { provider, model };
}

export function modelHandle(provider: Provider | null, model: string): string {
  return provider ? `${HANDLE_PREFIX[provider]}/${model}` : model;
}

export function endpointType(provider: Provider | null): string {
  return provider ? ENDPOINT_TYPE[provider] : 'openai';
}
