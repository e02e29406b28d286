import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { PostgresEventTransport } from './transports/postgres-event-transport.js';
import { RedisEventTransport } from './transports/redis-event-transport.js';

/**
 * Connects the event bus to the other processes at start: Redis pub/sub with REDIS_URL,
 * PostgreSQL LISTEN/NOTIFY with DATABASE_URL alone, nothing on the embedded database (one
 * process holds it). Used by the API and by the worker.
 */
@Injectable()
export class EventTransportLifecycle implements OnModuleInit, OnApplicationShutdown {
  private transport: RedisEventTransport | PostgresEventTransport | null = null;

  constructor(
    private readonly bus: EventBus,
    private readonly config: AppConfig,
  ) {}

  get kind(): 'redis' | 'postgres' | 'in-process' {
    return this.transport instanceof RedisEventTransport
      ? 'redis'
      : this.transport instanceof PostgresEventTransport
        ? 'postgres'
        : 'in-process';
  }

  async onModuleInit(): Promise<void> {
    if (this.config.REDIS_URL)
      this.transport = new RedisEventTransport(this.config.REDIS_URL, this.config.QUEUE_PREFIX);
    else if (this.config.DATABASE_URL) this.transport = new PostgresEventTransport(this.config.DATABASE_URL);
    if (!this.transport) return;
    try {
      await this.bus.useTransport(this.transport);
    } catch (error) {
      await this.transport.close();
      this.transport = null;
      throw error;
    }
    new Logger('Events').log(
      `events cross processes over ${this.kind === 'redis' ? 'Redis pub/sub' : 'PostgreSQL LISTEN/NOTIFY'}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.transport?.close();
  }
}
