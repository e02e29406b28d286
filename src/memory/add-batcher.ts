import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { MemoryRepository } from './memory.repository.js';
import type { AddGroup, MemoryRecord } from './memory.types.js';

/** Most texts one statement stores (a batch always takes at least one whole request). */
const MAX_BATCH_TEXTS = 500;

type Stored = { record: MemoryRecord; created: boolean }[];

interface Waiting {
  group: AddGroup;
  resolve: (stored: Stored) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of adds. Requests that arrive while a statement is running wait for it and then
 * go together in the next one: one statement, one commit, one round trip for all of them. An
 * idle server adds no delay (the first request runs at once); under load the batch is whatever
 * came in during the previous statement, up to MAX_BATCH_TEXTS. Each caller gets its own rows,
 * and only after the statement committed. If a batch of several fails, each request is tried
 * again alone, so one caller's error is never another's.
 */
@Injectable()
export class AddBatcher {
  private readonly logger = new Logger(AddBatcher.name);
  private readonly queue: Waiting[] = [];
  private running = 0;
  /** Statements in flight at once: the embedded database has one connection; PostgreSQL a pool. */
  private readonly parallel: number;

  constructor(
    private readonly memories: MemoryRepository,
    private readonly config: AppConfig,
  ) {
    this.parallel = config.embedded ? 1 : 2;
  }

  add(group: AddGroup): Promise<Stored> {
    return new Promise<Stored>((resolve, reject) => {
      this.queue.push({ group, resolve, reject });
      this.drain();
    });
  }

  private drain(): void {
    while (this.running < this.parallel && this.queue.length > 0) {
      const batch: Waiting[] = [this.queue.shift()!];
      let texts = batch[0].group.items.length;
      while (this.queue.length > 0 && texts + this.queue[0].group.items.length <= MAX_BATCH_TEXTS) {
        const next = this.queue.shift()!;
        texts += next.group.items.length;
        batch.push(next);
      }
      this.running++;
      void this.run(batch).finally(() => {
        this.running--;
        this.drain();
      });
    }
  }

  private async run(batch: Waiting[]): Promise<void> {
    const gap = this.config.MEMORY_SESSION_GAP_MINUTES;
    try {
      const stored = await this.memories.addGroups(
        batch.map((w) => w.group),
        gap,
      );
      batch.forEach((w, i) => w.resolve(stored[i]));
      return;
    } catch (error) {
      if (batch.length === 1) {
        batch[0].reject(error);
        return;
      }
      this.logger.warn(`a batch of ${batch.length} adds failed (${(error as Error).message}); trying each alone`);
    }
    for (const w of batch) {
      try {
        w.resolve((await this.memories.addGroups([w.group], gap))[0]);
      } catch (error) {
        w.reject(error);
      }
    }
  }
}
