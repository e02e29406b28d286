import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '../config/app-config.js';
import { closeRedis } from './redis-close.js';

export interface WindowCount {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetInMs: number;
}

/** Seconds until a window ends, rounded up, at least 1 (the value of Retry-After and RateLimit-Reset). */
export function secondsLeft(resetInMs: number): number {
  return Math.max(1, Math.ceil(resetInMs / 1000));
}

/**
 * Fixed-window hit counters for rate limits (a window opens at a key's first hit): in Redis with REDIS_URL, so every API replica
 * counts together; in process memory otherwise (one server), and as the fallback while Redis
 * does not answer (a limit per replica rather than none).
 */
@Injectable()
export class RateCounter implements OnApplicationShutdown {
  private readonly logger = new Logger('RateCounter');
  private readonly local = new Map<string, { start: number; count: number }>();
  private readonly redis: Redis | null;
  private readonly prefix: string;

  constructor(config: AppConfig) {
    this.prefix = `${config.QUEUE_PREFIX}:rate:`;
    this.redis = config.REDIS_URL
      ? new Redis(config.REDIS_URL, {
          connectionName: 'agentmem-rate',
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
          lazyConnect: true,
        })
      : null;
    this.redis?.on('error', () => undefined); // readiness reports Redis
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = Date.now();
    if (this.redis) {
      try {
        if (this.redis.status === 'wait') await this.redis.connect();
        // The window starts at the key's first hit (SET NX with its expiry), as in process: a
        // window aligned to the clock would let a burst that straddles its end count twice.
        const redisKey = `${this.prefix}${key}`;
        const replies = (await this.redis
          .multi()
          .set(redisKey, 0, 'PX', windowMs, 'NX')
          .incr(redisKey)
          .pttl(redisKey)
          .exec()) as [Error | null, unknown][];
        const failed = replies.find(([error]) => error);
        if (failed) throw failed[0] as Error;
        const count = Number(replies[1][1]);
        const ttl = Number(replies[2][1]);
        return { count, resetInMs: ttl > 0 ? ttl : windowMs };
      } catch (error) {
        this.logger.warn(`Redis did not answer (${String(error)}); counting in this process`);
      }
    }
    return this.hitLocally(key, windowMs, now);
  }

  private hitLocally(key: string, windowMs: number, now: number): WindowCount {
    let window = this.local.get(key);
    if (!window || now - window.start >= windowMs) {
      if (this.local.size > 10_000)
        for (const [k, w] of this.local) if (now - w.start >= windowMs) this.local.delete(k);
      window = { start: now, count: 0 };
      this.local.set(key, window);
    }
    window.count += 1;
    return { count: window.count, resetInMs: window.start + windowMs - now };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await closeRedis(this.redis);
  }
}
