import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { returnedRows } from '../../database/returned-rows.js';
import type { Returned } from '../../database/returned-rows.js';
import { closeRedis } from '../redis-close.js';
import { withTimeout } from '../with-timeout.js';

/** How long a lease lives without renewal: a process that dies holding one frees it this much later. */
const LEASE_MS = 30_000;
const RENEW_MS = 10_000;
const POLL_MS = 25;

/** The lock was not had within the wait. */
export class LockTimeout extends Error {}

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

interface Lease {
  acquire(key: string, token: string): Promise<boolean>;
  renew(key: string, token: string): Promise<void>;
  release(key: string, token: string): Promise<void>;
}

/**
 * Mutual exclusion by key across every process of the installation: callers of one process
 * queue in memory (no polling), then the queue's head takes a lease, in Redis with REDIS_URL
 * (SET NX PX, renewed while held) or in the `locks` table otherwise. A holder that dies frees
 * its lease when it expires.
 */
@Injectable()
export class LeaseLock implements OnApplicationShutdown {
  private readonly logger = new Logger('LeaseLock');
  private readonly queues = new Map<string, Promise<void>>();
  private readonly redis: Redis | null;
  private readonly lease: Lease;

  constructor(config: AppConfig, @InjectDataSource() dataSource: DataSource) {
    const prefix = `${config.QUEUE_PREFIX}:lock:`;
    this.redis = config.REDIS_URL
      ? new Redis(config.REDIS_URL, { connectionName: 'agentmem-lock', maxRetriesPerRequest: 1, lazyConnect: true })
      : null;
    this.redis?.on('error', () => undefined); // readiness reports Redis
    const redis = this.redis;
    this.lease = redis
      ? {
          acquire: async (key, token) => {
            // Connected on first use: processes that never lock (workers) open no connection.
            if (redis.status === 'wait') await redis.connect().catch(() => undefined);
            return (await redis.set(prefix + key, token, 'PX', LEASE_MS, 'NX')) === 'OK';
          },
          renew: async (key, token) => void (await redis.eval(RENEW, 1, prefix + key, token, String(LEASE_MS))),
          release: async (key, token) => void (await redis.eval(RELEASE, 1, prefix + key, token)),
        }
      : {
          acquire: async (key, token) => {
            const rows = await dataSource.query<Returned<{ token: string }>>(
              `INSERT INTO locks (key, token, expires_at) VALUES ($1, $2, now() + make_interval(secs => $3))
               ON CONFLICT (key) DO UPDATE SET token = EXCLUDED.token, expires_at = EXCLUDED.expires_at WHERE locks.expires_at < now()
               RETURNING token`,
              [key, token, LEASE_MS / 1000],
            );
            return returnedRows(rows).length > 0;
          },
          renew: async (key, token) =>
            void (await dataSource.query(
              `UPDATE locks SET expires_at = now() + make_interval(secs => $3) WHERE key = $1 AND token = $2`,
              [key, token, LEASE_MS / 1000],
            )),
          release: async (key, token) =>
            void (await dataSource.query(`DELETE FROM locks WHERE key = $1 AND token = $2`, [key, token])),
        };
  }

  /** Runs `work` holding the lock of `key`; LockTimeout if it is not had within `waitMs`. */
  async run<T>(key: string, waitMs: number, work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + waitMs;
    const previous = this.queues.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((resolve) => (done = resolve));
    const tail = previous.then(() => mine);
    this.queues.set(key, tail);
    try {
      await withTimeout(previous, deadline - Date.now(), () => {
        throw new LockTimeout(`lock ${key} not had within ${waitMs} ms`);
      });
      const token = randomUUID();
      while (!(await this.lease.acquire(key, token))) {
        if (Date.now() >= deadline) throw new LockTimeout(`lock ${key} not had within ${waitMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
      const renewal = setInterval(
        () => void this.lease.renew(key, token).catch((error) => this.logger.warn(`renewing ${key}: ${String(error)}`)),
        RENEW_MS,
      );
      try {
        return await work();
      } finally {
        clearInterval(renewal);
        await this.lease
          .release(key, token)
          .catch((error) => this.logger.warn(`releasing ${key}: ${String(error)} (it expires by itself)`));
      }
    } finally {
      done();
      if (this.queues.get(key) === tail) this.queues.delete(key);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.redis) await closeRedis(this.redis);
  }
}
