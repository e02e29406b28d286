/**
 * A least-recently-used cache bounded by the sum of its entries' sizes (bytes, or any unit
 * `sizeOf` measures): a read moves the entry to the young end, an insert evicts from the old
 * end until the new entry fits. A Map keeps insertion order, so deleting and setting again on
 * each hit is all the bookkeeping (O(1)). An entry larger than the whole bound is not kept.
 */
export class ByteLru<K, V> {
  private readonly entries = new Map<K, V>();
  private used = 0;

  constructor(
    private readonly capacity: number,
    private readonly sizeOf: (value: V) => number,
  ) {}

  /** The value, now the most recently used; undefined when absent. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  /** Stores (or replaces) the value as the most recently used, evicting the least recently used ones as needed. */
  set(key: K, value: V): void {
    const size = this.sizeOf(value);
    this.delete(key);
    if (size > this.capacity) return;
    while (this.used + size > this.capacity) {
      const [oldest, dropped] = this.entries.entries().next().value as [K, V];
      this.entries.delete(oldest);
      this.used -= this.sizeOf(dropped);
    }
    this.entries.set(key, value);
    this.used += size;
  }

  delete(key: K): boolean {
    const value = this.entries.get(key);
    if (value === undefined) return false;
    this.entries.delete(key);
    this.used -= this.sizeOf(value);
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  get size(): number {
    return this.entries.size;
  }

  /** The sum of the entries' sizes. */
  get usedBytes(): number {
    return this.used;
  }
}
