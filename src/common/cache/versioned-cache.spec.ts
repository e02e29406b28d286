import { LocalVersionStore } from './version-store.js';
import type { VersionStore } from './version-store.js';
import { VersionedCache } from './versioned-cache.js';
import type { CacheLookup } from './versioned-cache.js';

/** The database the cache stands in front of: a value, and how often it was read. */
class Source {
  value = 'v1';
  reads = 0;
  /** Resolves the next read only when released (to interleave a change with a load). */
  gate: Promise<void> | null = null;

  load = async (): Promise<string> => {
    this.reads += 1;
    const value = this.value;
    if (this.gate) await this.gate;
    return value;
  };
}

/** Two processes: each its own cache, one shared version store (Redis, in production). */
function twoProcesses(store: VersionStore = new LocalVersionStore()) {
  const lookups: CacheLookup[] = [];
  const a = new VersionedCache<string>('test', store, 100, (l) => lookups.push(l));
  const b = new VersionedCache<string>('test', store, 100, (l) => lookups.push(l));
  return { a, b, lookups };
}

describe('VersionedCache', () => {
  it('serves its copy while the version is unchanged, and loads again after a change made by another process', async () => {
    const source = new Source();
    const { a, b, lookups } = twoProcesses();
    expect(await b.get('k', source.load)).toBe('v1');
    expect(await b.get('k', source.load)).toBe('v1');
    expect(source.reads).toBe(1);
    // Process A changes the value: the new version is made before A answers the write.
    source.value = 'v2';
    await a.invalidate(['k']);
    expect(await b.get('k', source.load)).toBe('v2');
    expect(source.reads).toBe(2);
    expect(lookups).toEqual(['miss', 'hit', 'miss']);
  });

  it('never serves a value loaded before a change that committed during the load', async () => {
    const source = new Source();
    const { a, b } = twoProcesses();
    let release!: () => void;
    source.gate = new Promise((r) => (release = r));
    // B reads the version and starts loading the old value...
    const slow = b.get('k', source.load);
    await new Promise((r) => setImmediate(r));
    // ...A commits a change and makes a new version while B's load is under way...
    source.value = 'v2';
    await a.invalidate(['k']);
    release();
    source.gate = null;
    expect(await slow).toBe('v1'); // the read that began before the change may see the old value
    // ...but B stored it under the version read before loading: the next read loads again.
    expect(await b.get('k', source.load)).toBe('v2');
  });

  it('keeps nothing for a missing value', async () => {
    const { b } = twoProcesses();
    let reads = 0;
    const missing = async () => (reads++, null);
    expect(await b.get('k', missing)).toBeNull();
    expect(await b.get('k', missing)).toBeNull();
    expect(reads).toBe(2);
  });

  it('reads the source, and drops its copies, while the version store does not answer', async () => {
    const source = new Source();
    let down = false;
    const local = new LocalVersionStore();
    const flaky: VersionStore = {
      read: (key) => (down ? Promise.reject(new Error('down')) : local.read(key)),
      bump: (keys) => (down ? Promise.reject(new Error('down')) : local.bump(keys)),
    };
    const { b, lookups } = twoProcesses(flaky);
    await b.get('k', source.load);
    down = true;
    source.value = 'v2';
    expect(await b.get('k', source.load)).toBe('v2');
    expect(b.size).toBe(0);
    down = false;
    expect(await b.get('k', source.load)).toBe('v2');
    expect(lookups).toEqual(['miss', 'bypass', 'miss']);
  });

  it('a version made again after it was lost never equals the one a process holds', async () => {
    const source = new Source();
    const store = new LocalVersionStore();
    const { b } = twoProcesses(store);
    await b.get('k', source.load);
    // Forgetting the version (an expired key, a Redis restart) and then reading makes a new token.
    await store.bump(['k']);
    source.value = 'v2';
    expect(await b.get('k', source.load)).toBe('v2');
  });
});
