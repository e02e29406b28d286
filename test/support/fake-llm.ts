import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ChatRequest {
  model: string;
  messages: { role: string; content: string | { type: string; text?: string }[] }[];
  response_format?: { type: string; json_schema?: { name?: string } };
  stream?: boolean;
  tools?: unknown[];
}

/** What the fake answers a chat request with: the assistant's text, or a raw HTTP reply. */
export type ChatReply = string | { status: number; body: string };
export type ChatScript = (request: ChatRequest) => ChatReply;

/** The text of a chat request's messages of one role. */
export function textOf(request: ChatRequest, role: string): string {
  return request.messages
    .filter((m) => m.role === role)
    .map((m) => (typeof m.content === 'string' ? m.content : m.content.map((c) => c.text ?? '').join('')))
    .join('\n');
}

/**
 * A small OpenAI-compatible server inside the test process: the one fake of the suite (the
 * external LLM). Tests script its replies and read the requests it received.
 */
export class FakeLlm {
  readonly requests: ChatRequest[] = [];
  script: ChatScript = () => '{}';
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** Requests whose JSON schema (structured output) has this name. */
  requestsNamed(name: string): ChatRequest[] {
    return this.requests.filter((r) => r.response_format?.json_schema?.name === name);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/chat/completions')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: `no route ${req.url}` } }));
      return;
    }
    const request = JSON.parse(raw) as ChatRequest;
    this.requests.push(request);
    const reply = this.script(request);
    if (typeof reply !== 'string') {
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(reply.body);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        id: `chatcmpl-${this.requests.length}`,
        object: 'chat.completion',
        created: Math.floor(Date.now() / 1000),
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: reply }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
      }),
    );
  }
}
