import { Injectable, Logger } from '@nestjs/common';
import { uuidv7 } from '../ids.js';

/** A domain event: what happened, in which organization, with its payload. */
export interface DomainEvent<P = unknown> {
  /** Time-ordered id (UUID v7), given when published; SSE clients resume after it. */
  id: string;
  name: string;
  organizationId: string;
  payload: P;
  occurredAt: string;
}

/** An event as a module builds it; the bus gives it its id. */
export type NewDomainEvent<P = unknown> = Omit<DomainEvent<P>, 'id'>;

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
    const stamped: DomainEvent[] = events.map((e) => ({ id: uuidv7(), ...e }));
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
