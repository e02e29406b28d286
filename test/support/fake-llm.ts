import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './local-http-server.js';

export interface ChatRequestMessage {
  role: string;
  content: string | null | { type: string; text?: string }[];
  tool_calls?: { id: string; type: string; function: { name: string; arguments: string } }[];
  tool_call_id?: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatRequestMessage[];
  response_format?: { type: string; json_schema?: { name?: string } };
  stream?: boolean;
  tools?: { type: string; function: { name: string; description?: string; parameters?: unknown } }[];
  tool_choice?: unknown;
  max_tokens?: number;
  temperature?: number;
}

/** A scripted assistant turn: text, and tool calls (the model asks the server to run them). */
export interface ScriptedTurn {
  text?: string;
  toolCalls?: { name: string; arguments: Record<string, unknown> }[];
}

/** What the fake answers a chat request with: the assistant's text, or a raw HTTP reply. */
export type ChatReply = string | ScriptedTurn | { status: number; body: string };
export type ChatScript = (request: ChatRequest) => ChatReply;

/** The text of a chat request's messages of one role. */
export function textOf(request: ChatRequest, role: string): string {
  return request.messages
    .filter((m) => m.role === role)
    .map((m) => (typeof m.content === 'string' ? m.content : (m.content ?? []).map((c) => c.text ?? '').join('')))
    .join('\n');
}

/**
 * A small OpenAI-compatible server inside the test process: the one fake of the suite (the
 * external LLM). Tests script its replies and read the requests it received.
 */
export class FakeLlm extends LocalHttpServer {
  readonly requests: ChatRequest[] = [];
  /** When each request arrived, sent its first text, and ended (performance.now(), for benchmarks). */
  readonly timings: { request: ChatRequest | null; receivedAt: number; firstTextAt: number | null; endedAt: number }[] =
    [];
  script: ChatScript = () => '{}';
  /** Milliseconds before each answer starts (an LLM's latency); streamed answers also wait this long between chunks / 10. */
  latencyMs = 0;
  private calls = 0;

  /** The server settings that make its chat model this fake (started first: its url is in them). */
  get env(): Record<string, string> {
    return { LLM_PROVIDER: 'openai-compatible', LLM_BASE_URL: this.url, LLM_MODEL: 'fake-model', LLM_API_KEY: 'test' };
  }

  /** Requests whose JSON schema (structured output) has this name. */
  requestsNamed(name: string): ChatRequest[] {
    return this.requests.filter((r) => r.response_format?.json_schema?.name === name);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const receivedAt = performance.now();
    let firstTextAt: number | null = null;
    let parsed: ChatRequest | null = null;
    res.once('finish', () =>
      this.timings.push({ request: parsed, receivedAt, firstTextAt, endedAt: performance.now() }),
    );
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const request = JSON.parse(raw) as ChatRequest;
    parsed = request;
    this.requests.push(request);
    const reply = this.script(request);
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    if (typeof reply === 'object' && 'status' in reply) {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      return;
    }
    const turn: ScriptedTurn = typeof reply === 'string' ? { text: reply } : reply;
    const id = `chatcmpl-${++this.calls}`;
    const toolCalls = (turn.toolCalls ?? []).map((c, index) => ({
      index,
      id: `call_${this.calls}_${index}`,
      type: 'function',
      function: { name: c.name, arguments: JSON.stringify(c.arguments) },
    }));
    const finish = toolCalls.length > 0 ? 'tool_calls' : 'stop';
    const usage = { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 };
    const created = Math.floor(Date.now() / 1000);
    if (!request.stream) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model: request.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: turn.text ?? null,
                ...(toolCalls.length > 0 ? { tool_calls: toolCalls.map(({ index: _i, ...c }) => c) } : {}),
              },
              finish_reason: finish,
            },
          ],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) =>
      res.write(
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model: request.model, choices, ...extra })}\n\n`,
      );
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    for (const piece of (turn.text ?? '').match(/\S+\s*|\s+/g) ?? []) {
      if (this.latencyMs > 0) await sleep(this.latencyMs / 10);
      firstTextAt ??= performance.now();
      send([{ index: 0, delta: { content: piece }, finish_reason: null }]);
    }
    for (const call of toolCalls) send([{ index: 0, delta: { tool_calls: [call] }, finish_reason: null }]);
    send([{ index: 0, delta: {}, finish_reason: finish }]);
    send([], { usage });
    res.end('data: [DONE]\n\n');
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
