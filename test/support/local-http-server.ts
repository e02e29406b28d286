import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * An HTTP server inside the test (or benchmark) process on a free loopback port, standing for
 * an external API (an LLM, an embeddings provider): `url` is its OpenAI-style base (`…/v1`)
 * once started; `stop` cuts the connections still open, so no test waits on a keep-alive.
 */
export abstract class LocalHttpServer {
  url = '';
  private server?: Server;

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

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
}
