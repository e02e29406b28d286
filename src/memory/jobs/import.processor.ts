import { plainToInstance } from 'class-transformer';
import { TenantContext } from '../../common/context/tenant-context.js';
import { ProcessesQueue } from '../../jobs/processes-queue.decorator.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../../jobs/jobs.types.js';
import { ImportRowDto } from '../dto/import-row.dto.js';
import { MemoryService } from '../memory.service.js';

export interface ImportJobData {
  /** Validated rows (dates as ISO strings once queued). */
  rows: Record<string, unknown>[];
}

export interface ImportJobResult {
  rows: number;
  stored: number;
  /** Already stored (an earlier attempt) or a text already live in its scope. */
  skipped: number;
}

const BATCH = 500;

/** Stores a JSON Lines import in batches of one statement each, reporting progress; safe to run again. */
@ProcessesQueue(QueueName.Import)
export class ImportProcessor implements JobProcessor<ImportJobData, ImportJobResult> {
  constructor(
    private readonly memories: MemoryService,
    private readonly tenant: TenantContext,
  ) {}

  async process(job: JobHandle<ImportJobData>): Promise<ImportJobResult> {
    const rows = job.data.rows;
    let stored = 0;
    let skipped = 0;
    for (let start = 0; start < rows.length; start += BATCH) {
      const batch = plainToInstance(ImportRowDto, rows.slice(start, start + BATCH));
      const done = await this.memories.importBatch(job.id, start + 1, batch, this.tenant.actor);
      stored += done.stored;
      skipped += done.skipped;
      await job.updateProgress(((start + batch.length) / rows.length) * 100);
    }
    return { rows: rows.length, stored, skipped };
  }
}
