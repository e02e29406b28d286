import type { Socket } from 'socket.io-client';
import { socketClient } from './realtime-clients.js';

export interface ReceivedEvent {
  event: string;
  data: Record<string, unknown>;
  /** The URL of the API that delivered it. */
  via: string;
}

/**
 * A Socket.IO client as a real client of several API replicas behaves: connected to one URL,
 * and when that connection drops (the server died), connected to the next URL that answers,
 * trying the list in turn until it gets one. Records every event of the given names.
 */
export class FailoverSocket {
  readonly received: ReceivedEvent[] = [];
  /** Each URL it connected to, in order (the first is the initial connection). */
  readonly connections: string[] = [];
  private socket: Socket | null = null;
  private closed = false;
  private waiters: { match: (e: ReceivedEvent) => boolean; resolve: (e: ReceivedEvent) => void }[] = [];
  private connectWaiters: { url: string; resolve: () => void }[] = [];

  constructor(
    private readonly urls: string[],
    private readonly token: string,
    private readonly events: string[],
  ) {}

  /** Connects to the first URL of the list that answers. */
  async start(): Promise<void> {
    await this.connectFrom(0);
  }

  get url(): string | null {
    return this.connections.at(-1) ?? null;
  }

  /** Resolves once the client is connected to `url` (now or later), or fails after the timeout. */
  connectedTo(url: string, timeoutMs: number): Promise<void> {
    if (this.socket?.connected && this.url === url) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = { url, resolve: () => (clearTimeout(timer), resolve()) };
      const timer = setTimeout(() => {
        this.connectWaiters = this.connectWaiters.filter((w) => w !== waiter);
        reject(
          new Error(`not connected to ${url} within ${timeoutMs} ms (connections: ${this.connections.join(', ')})`),
        );
      }, timeoutMs);
      this.connectWaiters.push(waiter);
    });
  }

  /** The first event (already received or to come) that satisfies `match`, or a timeout error. */
  next(match: (e: ReceivedEvent) => boolean, timeoutMs: number, what = 'matching event'): Promise<ReceivedEvent> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (e: ReceivedEvent) => (clearTimeout(timer), resolve(e)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no ${what} within ${timeoutMs} ms (connections: ${this.connections.join(', ')}; ${this.received.length} events received)`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.closed = true;
    this.socket?.disconnect();
  }

  /** Tries the URLs from `first` on, round and round (with a short pause after each full round) until one connects. */
  private async connectFrom(first: number): Promise<void> {
    for (let attempt = 0; !this.closed; attempt++) {
      const url = this.urls[(first + attempt) % this.urls.length];
      const socket = socketClient(url, this.token);
      const ok = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 2000);
        socket.once('connect', () => (clearTimeout(timer), resolve(true)));
        socket.once('connect_error', () => (clearTimeout(timer), resolve(false)));
      });
      if (!ok) {
        socket.disconnect();
        if ((attempt + 1) % this.urls.length === 0) await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (this.closed) {
        socket.disconnect();
        return;
      }
      this.attach(socket, url);
      return;
    }
  }

  private attach(socket: Socket, url: string): void {
    this.socket = socket;
    this.connections.push(url);
    for (const event of this.events) {
      socket.on(event, (data: Record<string, unknown>) => this.record({ event, data, via: url }));
    }
    socket.once('disconnect', () => {
      if (this.closed) return;
      // The server went away: the next URL in the list, as a client of several replicas would.
      void this.connectFrom(this.urls.indexOf(url) + 1);
    });
    for (const w of this.connectWaiters.filter((w) => w.url === url)) w.resolve();
    this.connectWaiters = this.connectWaiters.filter((w) => w.url !== url);
  }

  private record(event: ReceivedEvent): void {
    this.received.push(event);
    for (const w of [...this.waiters]) {
      if (w.match(event)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(event);
      }
    }
  }
}
