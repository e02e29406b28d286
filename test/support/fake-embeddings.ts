import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LocalHttpServer } from './local-http-server.js';

/**
 * An OpenAI-compatible embeddings API inside the test (or benchmark) process, standing for a
 * paid provider: it answers `POST /v1/embeddings` with a vector made from each text's hash (the
 * same text, the same vector), after `latencyMs`, and counts what it was asked.
 */
export class FakeEmbeddings extends LocalHttpServer {
  /** Every text it embedded, in the order asked. */
  readonly texts: string[] = [];
  /** Requests received. */
  requests = 0;
  /** Milliseconds before each answer (a paid API's latency); a function draws one per request. */
  latencyMs: number | (() => number) = 0;

  constructor(readonly dimensions = 384) {
    super();
  }

  /** The settings that make the server embed with it (as a paid OpenAI-compatible API). */
  get env(): Record<string, string> {
    return {
      EMBEDDING_PROVIDER: 'openai-compatible',
      EMBEDDING_BASE_URL: this.url,
      EMBEDDING_MODEL: 'fake-embedding',
      EMBEDDING_API_KEY: 'test',
    };
  }

  /** How many times this text was embedded. */
  count(text: string): number {
    return this.texts.filter((t) => t === text).length;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let raw = '';
    for await (const chunk of req) raw += chunk;
    if (req.method !== 'POST' || !req.url?.endsWith('/embeddings')) {
      res
        .writeHead(404, { 'content-type': 'application/json' })
        .end(JSON.stringify({ error: { message: 'no route' } }));
      return;
    }
    this.requests += 1;
    const body = JSON.parse(raw) as { input: string | string[]; model: string };
    const inputs = Array.isArray(body.input) ? body.input : [body.input];
    this.texts.push(...inputs);
    const latency = typeof this.latencyMs === 'function' ? this.latencyMs() : this.latencyMs;
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({
        object: 'list',
        model: body.model,
        data: inputs.map((text, index) => ({ object: 'embedding', index, embedding: this.vectorOf(text) })),
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      }),
    );
  }

  /** A unit vector drawn from the text's hash. */
  private vectorOf(text: string): number[] {
    const vector: number[] = [];
    for (let block = 0; vector.length < this.dimensions; block++) {
      const digest = createHash('sha256').update(`${block}:${text}`).digest();
      for (let i = 0; i + 1 < digest.length && vector.length < this.dimensions; i += 2)
        vector.push(digest.readInt16LE(i) / 32768);
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((v) => v / norm);
  }
}
