import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DomainEvent, EventTransport } from '../../common/events/event-bus.js';

const CHANNEL = 'agentmem_events';
/** NOTIFY payloads must stay under 8,000 bytes. */
const MAX_PAYLOAD = 7900;
const RECONNECT_MS = 1000;

/**
 * Domain events over PostgreSQL LISTEN/NOTIFY, for the production shape without Redis. One
 * dedicated connection both listens and notifies; if it drops it is reopened (events sent
 * while it was down are lost to other processes, as with Redis pub/sub).
 */
export class PostgresEventTransport implements EventTransport {
  private readonly logger = new Logger('PostgresEventTransport');
  private client: pg.Client | null = null;
  private deliver: ((events: DomainEvent[]) => void) | null = null;
  private closed = false;
  private pending: DomainEvent[] = [];
  private flushing: Promise<void> | null = null;

  constructor(private readonly url: string) {}

  /**
   * Each NOTIFY is a commit (a WAL flush), ~1 ms or more: events published while a send is
   * under way wait and go together in the next statement, so a burst (a streamed turn's
   * chunks) costs a few commits rather than one per event.
   */
  async send(events: DomainEvent[]): Promise<void> {
    this.pending.push(...events);
    this.flushing ??= this.flush().finally(() => (this.flushing = null));
    return this.flushing;
  }

  private async flush(): Promise<void> {
    while (this.pending.length > 0) {
      const client = this.client;
      if (!client) {
        this.pending = [];
        throw new Error('the event connection is down');
      }
      const { payloads, tooLarge } = chunks(this.pending.splice(0));
      // Too large for NOTIFY: at least this process's clients get it.
      if (tooLarge.length) this.deliver?.(tooLarge);
      if (payloads.length === 0) continue;
      const calls = payloads.map((_, i) => `pg_notify($1, $${i + 2})`).join(', ');
      await client.query(`SELECT ${calls}`, [CHANNEL, ...payloads]);
    }
  }

  async listen(deliver: (events: DomainEvent[]) => void): Promise<void> {
    this.deliver = deliver;
    await this.connect();
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({ connectionString: this.url, application_name: 'agentmem-events' });
    client.on('notification', (msg) => {
      if (msg.channel !== CHANNEL || !msg.payload) return;
      try {
        this.deliver?.(JSON.parse(msg.payload) as DomainEvent[]);
      } catch (error) {
        this.logger.error({ err: error }, 'unreadable event notification');
      }
    });
    client.on('error', (error) => {
      this.logger.warn(`event connection lost: ${error.message}`);
      this.reconnect(client);
    });
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      // close() ran while this connection was opening.
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  /** Reopens the connection (once per broken client), retrying every second until it works or the transport closes. */
  private reconnect(broken: pg.Client): void {
    if (this.closed || this.client !== broken) return;
    this.client = null;
    const attempt = () => {
      if (this.closed) return;
      this.connect().catch((error: unknown) => {
        this.logger.warn(`event connection: ${String(error)}`);
        setTimeout(attempt, RECONNECT_MS).unref();
      });
    };
    setTimeout(attempt, RECONNECT_MS).unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }
}

/** Splits events into JSON arrays that each fit one NOTIFY, and those too big alone (logged). */
function chunks(events: DomainEvent[]): { payloads: string[]; tooLarge: DomainEvent[] } {
  const payloads: string[] = [];
  const tooLarge: DomainEvent[] = [];
  let batch: string[] = [];
  let size = 2;
  for (const event of events) {
    const json = JSON.stringify(event);
    const bytes = Buffer.byteLength(json);
    if (bytes + 2 > MAX_PAYLOAD) {
      new Logger('PostgresEventTransport').warn(
        `event ${event.name} is too large for NOTIFY (${bytes} bytes): delivered in this process only`,
      );
      tooLarge.push(event);
      continue;
    }
    if (size + bytes + 1 > MAX_PAYLOAD && batch.length) {
      payloads.push(`[${batch.join(',')}]`);
      batch = [];
      size = 2;
    }
    batch.push(json);
    size += bytes + 1;
  }
  if (batch.length) payloads.push(`[${batch.join(',')}]`);
  return { payloads, tooLarge };
}
