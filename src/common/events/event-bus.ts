import { Injectable, Logger } from '@nestjs/common';

/** A domain event: what happened, in which organization, with its payload. */
export interface DomainEvent<P = unknown> {
  name: string;
  organizationId: string;
  payload: P;
  occurredAt: string;
}

type Handler = (event: DomainEvent) => void | Promise<void>;

/**
 * In-process publish/subscribe for domain events. Modules publish after their transaction
 * commits; the realtime module subscribes to fan events out to clients (and, with Redis,
 * across processes). A failing subscriber is logged and never fails the publisher.
 */
@Injectable()
export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly handlers = new Set<Handler>();

  subscribe(handler: Handler): () => void {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  publish(events: DomainEvent[]): void {
    for (const event of events) {
      for (const handler of this.handlers) {
        Promise.resolve()
          .then(() => handler(event))
          .catch((error: unknown) => this.logger.error({ err: error, event: event.name }, 'event handler failed'));
      }
    }
  }
}
