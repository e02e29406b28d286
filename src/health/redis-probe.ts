import { Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';

/** A small dedicated Redis connection for readiness checks (only when REDIS_URL is set). */
@Injectable()
export class RedisProbe implements OnApplicationShutdown {
  private readonly client: Redis | null;

  constructor(config: AppConfig) {
    this.client = config.REDIS_URL
      ? new Redis(config.REDIS_URL, {
          lazyConnect: true,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: true,
          connectionName: 'agentmem-health',
        })
      : null;
    // Connection errors surface through ping(); keep ioredis from printing unhandled ones.
    this.client?.on('error', () => undefined);
  }

  get configured(): boolean {
    return this.client !== null;
  }

  async ping(): Promise<void> {
    if (!this.client) return;
    if (this.client.status === 'wait') await this.client.connect();
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${String(answer)}`);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client && this.client.status !== 'end') this.client.disconnect();
  }
}
