import { Logger } from '@nestjs/common';
import { ByteLru } from './byte-lru.js';
import type { VersionStore } from './version-store.js';

/** What a read found: served from this process (hit), loaded (miss), or loaded because the versions could not be read (bypass). */
export type CacheLookup = 'hit' | 'miss' | 'bypass';

/** How often and how long a failed version change is tried again in the background. */
const BUMP_RETRIES = 5;
const BUMP_RETRY_MS = 200;

interface Entry<V> {
  version: string;
  value: V;
}

/**
 * Values of one process, each checked against a version in a store shared by every process
 * before it is served: a change anywhere makes a new version before the change is answered
 * (`invalidate`, after its transaction commits), so a read that starts after that answer sees
 * a version no process holds a value for, and loads. A read stores what it loaded under the
 * version it read *before* loading: if a change slips in between, the stored value carries the
 * old version and the next read loads again. Stale data is thus never served; the cost of a
 * hit is one round trip to the store (cheaper than the queries it saves).
 *
 * When the store does not answer, reads go to the source (and the local values are dropped:
 * what changed meanwhile cannot be known).
 */
export class VersionedCache<V> {
  private readonly logger: Logger;
  private readonly entries: ByteLru<string, Entry<V>>;

  constructor(
    readonly name: string,
    private readonly store: VersionStore,
    capacity: number,
    private readonly record: (lookup: CacheLookup) => void = () => undefined,
  ) {
    this.logger = new Logger(`Cache:${name}`);
    // Bounded in entries (each counts 1).
    this.entries = new ByteLru(capacity, () => 1);
  }

  /** The value of `key`: this process's copy when its version is current, else what `load` returns (null is not kept). */
  async get(key: string, load: () => Promise<V | null>): Promise<V | null> {
    let version: string;
    try {
      version = await this.store.read(key);
    } catch (error) {
      if (this.entries.size > 0) {
        this.logger.warn(`versions not readable (${String(error)}): reading the source, local copies dropped`);
        this.entries.clear();
      }
      this.record('bypass');
      return load();
    }
    const entry = this.entries.get(key);
    if (entry && entry.version === version) {
      this.record('hit');
      return entry.value;
    }
    this.record('miss');
    const value = await load();
    if (value !== null) this.entries.set(key, { version, value });
    return value;
  }

  /**
   * Makes new versions of `keys` (after the change committed, before it is answered). Should
   * the store not answer, the change is tried again in the background and this process's
   * copies are dropped at once; other processes may serve their copies until the retry lands
   * or their own connection is lost and found again (they then drop everything).
   */
  async invalidate(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    for (const key of keys) this.entries.delete(key);
    try {
      await this.store.bump(keys);
    } catch (error) {
      this.logger.error(`new versions of ${keys.length} entries not stored (${String(error)}); retrying`);
      void this.retryBump(keys);
    }
  }

  /** Drops this process's copy (an event said it changed; the version check would catch it anyway). */
  drop(key: string): void {
    this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private async retryBump(keys: string[]): Promise<void> {
    for (let attempt = 1; attempt <= BUMP_RETRIES; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, BUMP_RETRY_MS * attempt).unref());
      try {
        await this.store.bump(keys);
        return;
      } catch {
        // next attempt
      }
    }
    this.logger.error(
      `new versions of ${keys.length} entries never stored: other processes may serve them until they reconnect`,
    );
  }
}
