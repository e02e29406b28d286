import { plainToInstance } from 'class-transformer';
import { TenantContext } from '../../common/context/tenant-context.js';
import { ProcessesQueue } from '../../jobs/processes-queue.decorator.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../../jobs/jobs.types.js';
import { ImportRowDto } from '../dto/import-row.dto.js';
import { MemoryService } from '../memory.service.js';

export interface ImportJobData {
  /** The validated rows as the producer sends them; queued as JSON, so their dates arrive as ISO strings (plainToInstance turns them back). */
  rows: ImportRowDto[];
}

export interface ImportJobResult {
  rows: number;
  stored: number;
  /** Already stored (an earlier attempt) or a text already live in its scope. */
  skipped: number;
}

const BATCH = 500;

/** Stores a JSON Lines import in batches of one statement each, reporting progress; safe to run again. */
declare module '../../jobs/jobs.types.js' {
  interface JobMap {
    import: { data: ImportJobData; result: ImportJobResult };
  }
}

@ProcessesQueue(QueueName.Import)
export class ImportProcessor implements JobProcessor<typeof QueueName.Import> {
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
