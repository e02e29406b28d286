import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * The current version of each cached thing, shared by every process that caches it. A version
 * is a random token, not a counter: a token never comes back, so a version lost (Redis
 * restarted, the key expired) and made again can never equal one a process still holds.
 */
export interface VersionStore {
  /** The version of each key, in order (made when missing). Throws when the store does not answer. */
  read(key: string): Promise<string>;
  /** Gives each key a new version. Throws when the store does not answer. */
  bump(keys: string[]): Promise<void>;
}

/** Versions of one process (the embedded server: nothing else can change its data). */
export class LocalVersionStore implements VersionStore {
  private readonly versions = new Map<string, string>();

  async read(key: string): Promise<string> {
    let version = this.versions.get(key);
    if (version === undefined) {
      version = randomUUID();
      this.versions.set(key, version);
    }
    return version;
  }

  async bump(keys: string[]): Promise<void> {
    // Forgetting is a bump: the next read makes a new token. It also bounds the map.
    for (const key of keys) this.versions.delete(key);
  }
}

/** GET, or SET a new token when there is none: one round trip, atomic. */
const READ_OR_MAKE = `local v = redis.call('GET', KEYS[1])
if v then return v end
redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
return ARGV[1]`;

/**
 * Versions in Redis, for every process of the installation. Keys expire `ttlSeconds` after
 * their last change: an expired version is made again as a new token, which costs one reload.
 */
export class RedisVersionStore implements VersionStore {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  async read(key: string): Promise<string> {
    return String(await this.redis.eval(READ_OR_MAKE, 1, this.prefix + key, randomUUID(), this.ttlSeconds));
  }

  async bump(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    const batch = this.redis.multi();
    for (const key of keys) batch.set(this.prefix + key, randomUUID(), 'EX', this.ttlSeconds);
    const replies = await batch.exec();
    const failed = replies?.find(([error]) => error);
    if (!replies || failed) throw failed?.[0] ?? new Error('the version change was not applied');
  }
}
