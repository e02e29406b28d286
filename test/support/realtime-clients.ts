import { EventSource } from 'eventsource';
import { io } from 'socket.io-client';
import type { Socket } from 'socket.io-client';

/** A Socket.IO client of the server's gateway (websocket transport, no reconnection). */
export function socketClient(
  baseUrl: string,
  token: string | undefined,
  extra: { headers?: Record<string, string> } = {},
): Socket {
  return io(baseUrl, {
    path: '/api/v1/ws',
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: token === undefined ? {} : { token },
    extraHeaders: extra.headers,
  });
}

/** Resolves when the socket is connected; rejects with the connect_error the server sent. */
export function connected(socket: Socket): Promise<Socket> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => reject(error));
  });
}

/** The next `event` on the socket that satisfies `match`, or a timeout error. */
export function nextEvent<T = Record<string, unknown>>(
  socket: Socket,
  event: string,
  match: (data: T) => boolean = () => true,
  timeoutMs = 5000,
): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, listener);
      reject(new Error(`no ${event} event within ${timeoutMs} ms`));
    }, timeoutMs);
    const listener = (data: T) => {
      if (!match(data)) return;
      clearTimeout(timer);
      socket.off(event, listener);
      resolve(data);
    };
    socket.on(event, listener);
  });
}

export interface SseMessage {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/**
 * An EventSource (the `eventsource` package) that records every message of the given types; the
 * credential goes in a header unless `queryToken` is set.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly source: EventSource;
  private waiters: { match: (m: SseMessage) => boolean; resolve: (m: SseMessage) => void }[] = [];

  constructor(
    url: string,
    token: string | null,
    types: string[],
    options: { lastEventId?: string; queryToken?: boolean } = {},
  ) {
    const target = new URL(url);
    if (token && options.queryToken) target.searchParams.set('token', token);
    this.source = new EventSource(target, {
      fetch: (input, init) =>
        fetch(input, {
          ...init,
          headers: {
            ...(init?.headers as Record<string, string>),
            ...(token && !options.queryToken ? { Authorization: `Bearer ${token}` } : {}),
            ...(options.lastEventId ? { 'Last-Event-ID': options.lastEventId } : {}),
          },
        }),
    });
    for (const type of types) {
      // EventSource fires its own data-less 'error' on connection trouble: only messages count.
      this.source.addEventListener(
        type,
        (e: MessageEvent) =>
          e.data !== undefined && this.record({ id: e.lastEventId, type, data: JSON.parse(String(e.data)) }),
      );
    }
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.source.readyState === EventSource.OPEN) return resolve();
      this.source.onopen = () => resolve();
      this.source.onerror = (e) =>
        reject(
          new Error(
            `stream failed: ${(e as { message?: string }).message ?? 'error'} (${(e as { code?: number }).code ?? ''})`,
          ),
        );
    });
  }

  /** The first recorded message (past or future) that satisfies `match`. */
  next(match: (m: SseMessage) => boolean, timeoutMs = 5000): Promise<SseMessage> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = { match, resolve: (m: SseMessage) => (clearTimeout(timer), resolve(m)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(
          new Error(
            `no matching SSE message within ${timeoutMs} ms; got ${JSON.stringify(this.messages.map((m) => m.type))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.source.close();
  }

  private record(message: SseMessage): void {
    this.messages.push(message);
    for (const w of [...this.waiters]) {
      if (w.match(message)) {
        this.waiters = this.waiters.filter((x) => x !== w);
        w.resolve(message);
      }
    }
  }
}

/** Polls `check` until it holds (for server-side state such as released streams), or fails. */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  what = 'condition',
): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
