import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { DomainEvent, EventTransport } from '../../common/events/event-bus.js';
import { closeRedis } from '../../common/redis-close.js';

/** Domain events over Redis pub/sub: one channel, every process subscribed (API replicas and workers). */
export class RedisEventTransport implements EventTransport {
  private readonly logger = new Logger('RedisEventTransport');
  private readonly publisher: Redis;
  private readonly subscriber: Redis;
  private readonly channel: string;

  constructor(url: string, prefix: string) {
    this.channel = `${prefix}:events`;
    this.publisher = new Redis(url, { connectionName: 'agentmem-events-pub', maxRetriesPerRequest: 3 });
    // The subscription waits for Redis however long it takes (a server starts while Redis is down).
    this.subscriber = new Redis(url, { connectionName: 'agentmem-events-sub', maxRetriesPerRequest: null });
    for (const client of [this.publisher, this.subscriber])
      client.on('error', (error: Error) => this.logger.warn(`Redis: ${error.message}`));
  }

  async send(events: DomainEvent[]): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify(events));
  }

  async listen(deliver: (events: DomainEvent[]) => void): Promise<void> {
    this.subscriber.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      try {
        deliver(JSON.parse(message) as DomainEvent[]);
      } catch (error) {
        this.logger.error({ err: error }, 'unreadable event message');
      }
    });
    // Not awaited: readiness reports Redis; ioredis subscribes again after every reconnect.
    this.subscriber
      .subscribe(this.channel)
      .catch((error: unknown) => this.logger.error({ err: error }, 'could not subscribe to events'));
  }

  async close(): Promise<void> {
    await Promise.all([closeRedis(this.subscriber), closeRedis(this.publisher)]);
  }
}
