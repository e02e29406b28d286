import { Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../../config/app-config.js';
import { closeRedis } from '../redis-close.js';
import { withTimeout } from '../with-timeout.js';

/**
 * Milliseconds a cache command may take before the caller gives up on it and goes to the source
 * (the embedder, the database): a cache must never be slower than what it saves.
 */
const COMMAND_TIMEOUT_MS = 500;
/** How long the start waits for the connection; a Redis that does not answer by then is simply not used until it does. */
const CONNECT_WAIT_MS = 3000;

/**
 * The Redis connection of the shared caches (embeddings, hot reads), when REDIS_URL is set. It
 * fails fast instead of queueing: no offline queue, one short timeout per command, so a Redis
 * that is down or slow costs a cache miss, never a failed request. Keys live under
 * `<QUEUE_PREFIX>:cache:`. Listeners of `onReconnect` hear each return after a loss (what was
 * written meanwhile could not be seen, so local copies checked against Redis must go).
 */
@Injectable()
export class CacheRedis implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('CacheRedis');
  readonly client: Redis | null;
  readonly prefix: string;
  private readonly reconnectListeners = new Set<() => void>();
  private wasReady = false;

  constructor(config: AppConfig) {
    this.prefix = `${config.QUEUE_PREFIX}:cache:`;
    this.client = config.REDIS_URL
      ? new Redis(config.REDIS_URL, {
          connectionName: 'agentmem-cache',
          lazyConnect: true,
          enableOfflineQueue: false,
          maxRetriesPerRequest: 0,
          commandTimeout: COMMAND_TIMEOUT_MS,
        })
      : null;
    this.client?.on('error', () => undefined); // readiness reports Redis; callers fall back on each failed command
    this.client?.on('ready', () => {
      if (this.wasReady) {
        this.logger.log('Redis is back: local cache entries checked against it are dropped');
        for (const listener of this.reconnectListeners) listener();
      }
      this.wasReady = true;
    });
  }

  async onModuleInit(): Promise<void> {
    if (!this.client) return;
    // Wait a little for the first connection, so the first requests already share the cache.
    await withTimeout(
      this.client.connect().catch((error: unknown) => this.logger.warn(`Redis not reached yet: ${String(error)}`)),
      CONNECT_WAIT_MS,
      () => undefined,
    );
  }

  /** Whether commands can be sent now (connected). */
  get ready(): boolean {
    return this.client?.status === 'ready';
  }

  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) await closeRedis(this.client);
  }
}
