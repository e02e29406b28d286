import { Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../../observability/metrics.service.js';
import { uuidv7 } from '../ids.js';

/**
 * Every domain event's name and payload. Each module declares its own events into this map
 * (declaration merging in its `*.events.ts`, e.g. memory/memory.events.ts), so that a publisher,
 * the bus, the gateway and SSE agree on each payload: a name without its payload, or a payload
 * of the wrong shape, does not compile. Common code knows no module's types; modules know common.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the modules' declarations
export interface DomainEventMap {}

export type DomainEventName = keyof DomainEventMap;

/** A domain event: what happened, in which organization, with its payload (one member per name, so `name` narrows `payload`). */
export type DomainEvent<N extends DomainEventName = DomainEventName> = {
  [K in N]: {
    /** Time-ordered id (UUID v7), given when published; SSE clients resume after it. */
    id: string;
    name: K;
    organizationId: string;
    payload: DomainEventMap[K];
    occurredAt: string;
  };
}[N];

/** An event as a module builds it; the bus gives it its id. */
export type NewDomainEvent<N extends DomainEventName = DomainEventName> = {
  [K in N]: Omit<DomainEvent<K>, 'id'>;
}[N];

/** An event of this name, as a module builds it (the time is now). */
export function domainEvent<N extends DomainEventName>(
  name: N,
  organizationId: string,
  payload: DomainEventMap[N],
): NewDomainEvent<N> {
  return { name, organizationId, payload, occurredAt: new Date().toISOString() } as NewDomainEvent<N>;
}

type Handler = (event: DomainEvent) => void | Promise<void>;

/**
 * Carries published events to every process (Redis pub/sub, PostgreSQL NOTIFY) and hands back
 * what any process published. Without one, events stay in this process.
 */
export interface EventTransport {
  send(events: DomainEvent[]): Promise<void>;
  listen(deliver: (events: DomainEvent[]) => void): Promise<void>;
}

/**
 * Publish/subscribe for domain events. Modules publish after their transaction commits; the
 * realtime module fans events out to Socket.IO and SSE clients. With a transport, every event
 * (this process's too) is delivered when it comes back from the transport, so every process
 * sees the same events in the same order. A failing subscriber is logged and never fails the
 * publisher.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Set<Handler>();
  private transport: EventTransport | null = null;

  constructor(private readonly metrics: MetricsService) {}

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  /** Routes events through a transport from now on (set once at start by the realtime module). */
  async useTransport(transport: EventTransport): Promise<void> {
    await transport.listen((events) => this.deliver(events));
    this.transport = transport;
  }

  publish(events: NewDomainEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) this.metrics.eventsPublished.inc({ event: e.name });
    const stamped = events.map((e) => ({ id: uuidv7(), ...e }));
    if (!this.transport) {
      this.deliver(stamped);
      return;
    }
    this.transport.send(stamped).catch((error: unknown) => {
      this.logger.error(
        { err: error, events: stamped.length },
        'events could not be sent to other processes; delivered in this one only',
      );
      this.deliver(stamped);
    });
  }

  private deliver(events: DomainEvent[]): void {
    for (const event of events) {
      for (const handler of this.handlers) {
        try {
          const result = handler(event);
          if (result instanceof Promise)
            result.catch((error: unknown) =>
              this.logger.error({ err: error, event: event.name }, 'event handler failed'),
            );
        } catch (error) {
          this.logger.error({ err: error, event: event.name }, 'event handler failed');
        }
      }
    }
  }
}
