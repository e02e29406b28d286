import { Injectable, Logger } from '@nestjs/common';
import type { OnApplicationShutdown } from '@nestjs/common';
import { SearchRepository } from './search.repository.js';

/** How often counted retrievals are written, and how many rows one statement updates. */
const FLUSH_INTERVAL_MS = 1_000;
const FLUSH_BATCH = 1_000;
/** Pending memories after which a flush starts at once rather than at the next tick. */
const FLUSH_AT = 20_000;

interface Pending {
  organizationId: string;
  id: string;
  n: number;
  at: Date;
}

/**
 * Memories' access counters (accessCount, lastAccessedAt: filterable, shown on each memory),
 * counted off the request path: a search only notes its hits here, and the notes are written
 * once a second, summed per memory, in one statement per thousand memories. A search stays a
 * read. Counters are usage statistics, not data a client wrote: what a crash catches unwritten
 * (at most a second of them) is lost, and a shutdown writes them first.
 */
@Injectable()
export class AccessCounts implements OnApplicationShutdown {
  private readonly logger = new Logger(AccessCounts.name);
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly search: SearchRepository) {}

  note(organizationId: string, ids: string[]): void {
    if (ids.length === 0) return;
    const at = new Date();
    for (const id of ids) {
      const entry = this.pending.get(id);
      if (entry) {
        entry.n += 1;
        entry.at = at;
      } else {
        this.pending.set(id, { organizationId, id, n: 1, at });
      }
    }
    if (this.pending.size >= FLUSH_AT) void this.flush();
    else this.timer ??= setTimeout(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
  }

  /** Writes every pending count (one flush at a time; a failure is logged and those counts dropped). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.pending.size === 0) return this.flushing;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.flushing.then(async () => {
      for (let i = 0; i < batch.length; i += FLUSH_BATCH) {
        try {
          await this.search.addAccesses(batch.slice(i, i + FLUSH_BATCH));
        } catch (error) {
          this.logger.warn(`access counters not written (${batch.length - i} memories): ${(error as Error).message}`);
          return;
        }
      }
    });
    return this.flushing;
  }

  async onApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
