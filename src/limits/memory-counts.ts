/** How long a counted number of memories is trusted (kept current meanwhile by memory events). */
export const RECOUNT_MS = 10_000;
/** A refusal is decided on a count at most this old: a stale estimate may let an add pass, never refuse one. */
export const EXACT_MS = 1_000;

interface OrgCount {
  /** Live memories at the last count, plus those created and minus those deleted since (events of every process). */
  live: number;
  countedAt: number;
  /** Memories that adds of this process are storing right now (reserved, not yet stored). */
  pending: number;
  counting: Promise<void> | null;
}

/** Room taken for an add until it is stored (or failed). */
export interface MemoryReservation {
  /** `unannounced`: memories stored without a memory.created event (imports), counted here instead. */
  release(unannounced?: number): void;
}

export const NO_RESERVATION: MemoryReservation = { release: () => undefined };

/**
 * The memories-stored limit without a count(*) per add: each organization with a limit is
 * counted once (a scan of its live-memories index), at most every RECOUNT_MS; in between, the
 * memory.created and memory.deleted events of every process (the event bus crosses replicas)
 * keep the number current, and adds in flight in this process hold their room, so concurrent
 * adds cannot both take the last place. An add the estimate would refuse is decided on a fresh
 * count, so deletions are seen at once. What it may miss: adds of other replicas in the few
 * milliseconds before their events arrive.
 */
export class MemoryCounts {
  private readonly counts = new Map<string, OrgCount>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A memory of the organization was created (+1) or deleted (-1) by some process. */
  note(organizationId: string, delta: number): void {
    const count = this.counts.get(organizationId);
    if (count) count.live += delta;
  }

  /** Room for `adding` more memories within `limit`, or how many the organization stores if there is none. */
  async reserve(
    organizationId: string,
    adding: number,
    limit: number,
    countLive: () => Promise<number>,
  ): Promise<MemoryReservation | { stored: number }> {
    let count = await this.counted(organizationId, countLive, RECOUNT_MS);
    if (count.live + count.pending + adding > limit) count = await this.counted(organizationId, countLive, EXACT_MS);
    if (count.live + count.pending + adding > limit) return { stored: count.live };
    count.pending += adding;
    let released = false;
    return {
      release: (unannounced = 0) => {
        if (released) return;
        released = true;
        count.pending -= adding;
        count.live += unannounced;
      },
    };
  }

  private async counted(organizationId: string, countLive: () => Promise<number>, maxAgeMs: number): Promise<OrgCount> {
    let count = this.counts.get(organizationId);
    if (count && this.now() - count.countedAt <= maxAgeMs) return count;
    if (!count) {
      count = { live: 0, countedAt: -Infinity, pending: 0, counting: null };
      this.counts.set(organizationId, count);
    }
    const entry = count;
    // Concurrent adds of one organization share one count.
    entry.counting ??= countLive()
      .then((live) => {
        entry.live = live;
        entry.countedAt = this.now();
      })
      .finally(() => {
        entry.counting = null;
      });
    await entry.counting;
    return entry;
  }
}
