/** How long a counted number of memories is trusted (kept current meanwhile by memory events). */
export const RECOUNT_MS = 10_000;
/** Ids remembered to match creations with their events (bounded: the transport may lose events). */
const MAX_IDS = 10_000;

interface OrgCount {
  /** Live memories at the last count, plus those created and minus those deleted since. */
  live: number;
  countedAt: number;
  /** When the last count began: events that happened before it are in it already. */
  countStartedAt: number;
  /** Memories that adds of this process are storing right now (reserved, not yet stored). */
  pending: number;
  counting: Promise<void> | null;
}

/** Room taken for an add until it is stored (or failed). */
export interface MemoryReservation {
  /**
   * The add is over. `created`: the ids of the memories it created (announced by memory.created
   * events, which are then not counted again), or how many it stored without events (imports).
   */
  release(created?: string[] | number): void;
}

export const NO_RESERVATION: MemoryReservation = { release: () => undefined };

/** Inserts into a set bounded to MAX_IDS, forgetting the oldest. */
function remember(set: Set<string>, id: string): void {
  if (set.size >= MAX_IDS) set.delete(set.values().next().value as string);
  set.add(id);
}

/**
 * The memories-stored limit without a count(*) per add: each organization with a limit is
 * counted once (a scan of its live-memories index), again at most every RECOUNT_MS, and before
 * any refusal, so a stale estimate may let an add pass but never refuses one. In between:
 * this process's own adds are counted when they finish (and hold their room while running, so
 * two concurrent adds cannot both take the last place); other processes' adds and every
 * deletion arrive as memory.created / memory.deleted events (the event bus crosses replicas),
 * except those from before the last count began, which it holds already. What it may miss:
 * adds of other replicas in the milliseconds before their events arrive.
 */
export class MemoryCounts {
  private readonly counts = new Map<string, OrgCount>();
  /** Memories this process created and counted, whose created event is still to come. */
  private readonly counted = new Set<string>();
  /** Memories whose created event came before their add finished (the in-process bus is synchronous). */
  private readonly announced = new Set<string>();

  constructor(private readonly now: () => number = Date.now) {}

  /** A memory was created (+1) or deleted (-1) by some process, at `occurredAt` (ms). */
  note(organizationId: string, delta: 1 | -1, memoryId: string, occurredAt: number): void {
    if (delta > 0 && this.counted.delete(memoryId)) return;
    const count = this.counts.get(organizationId);
    if (!count || occurredAt < count.countStartedAt) return;
    count.live += delta;
    if (delta > 0 && count.pending > 0) remember(this.announced, memoryId);
  }

  /** Room for `adding` more memories within `limit`, or how many the organization stores if there is none. */
  async reserve(
    organizationId: string,
    adding: number,
    limit: number,
    countLive: () => Promise<number>,
  ): Promise<MemoryReservation | { stored: number }> {
    let count = await this.current(organizationId, countLive, false);
    if (count.live + count.pending + adding > limit) count = await this.current(organizationId, countLive, true);
    if (count.live + count.pending + adding > limit) return { stored: count.live };
    count.pending += adding;
    let released = false;
    return {
      release: (created = 0) => {
        if (released) return;
        released = true;
        count.pending -= adding;
        if (typeof created === 'number') {
          count.live += created;
          return;
        }
        for (const id of created) {
          if (this.announced.delete(id)) continue;
          count.live += 1;
          remember(this.counted, id);
        }
      },
    };
  }

  private async current(organizationId: string, countLive: () => Promise<number>, fresh: boolean): Promise<OrgCount> {
    let count = this.counts.get(organizationId);
    if (count && !count.counting && !fresh && this.now() - count.countedAt <= RECOUNT_MS) return count;
    if (!count) {
      count = { live: 0, countedAt: -Infinity, countStartedAt: -Infinity, pending: 0, counting: null };
      this.counts.set(organizationId, count);
    }
    const entry = count;
    // Concurrent adds of one organization share one count.
    if (!entry.counting) {
      const startedAt = this.now();
      entry.counting = countLive()
        .then((live) => {
          entry.live = live;
          entry.countedAt = this.now();
          entry.countStartedAt = startedAt;
        })
        .finally(() => {
          entry.counting = null;
        });
    }
    await entry.counting;
    return entry;
  }
}
