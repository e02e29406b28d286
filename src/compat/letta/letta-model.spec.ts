import { endpointType, modelHandle, parseModelHandle } from './letta-model.js';

describe("Letta's model handles", () => {
  it('reads provider/model-name, with Letta names for the providers', () => {
    expect(parseModelHandle('openai/gpt-4o-mini')).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(parseModelHandle('google_ai/gemini-2.5-flash')).toEqual({ provider: 'google', model: 'gemini-2.5-flash' });
    expect(parseModelHandle('anthropic/claude-sonnet-4-5')).toEqual({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
    });
  });

  it('takes local servers as the OpenAI-compatible endpoint, keeping the rest of the name', () => {
    expect(parseModelHandle('ollama/llama3.1:8b')).toEqual({ provider: 'openai-compatible', model: 'llama3.1:8b' });
    expect(parseModelHandle('openrouter/meta/llama-3')).toEqual({
      provider: 'openai-compatible',
      model: 'meta/llama-3',
    });
  });

  it("takes letta/… as the server's default and a bare name as a model of the server's provider", () => {
    expect(parseModelHandle('letta/letta-free')).toEqual({});
    expect(parseModelHandle('gpt-4o')).toEqual({ model: 'gpt-4o' });
  });

  it('names the field for an unknown provider or a missing model name', () => {
    expect(parseModelHandle('nowhere/x')).toEqual({ problem: expect.stringMatching(/^model: provider "nowhere"/) });
    expect(parseModelHandle('openai/')).toEqual({ problem: expect.stringMatching(/^model must be/) });
  });

  it('writes handles and endpoint types as Letta names them', () => {
    expect(modelHandle('google', 'gemini')).toBe('google_ai/gemini');
    expect(modelHandle(null, 'fake')).toBe('fake');
    expect(endpointType('openai-compatible')).toBe('openai');
  });
});
