import { JobsService } from '../../jobs/jobs.service.js';
import { ProcessesQueue } from '../../jobs/processes-queue.decorator.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../../jobs/jobs.types.js';
import type { ExportMemoriesDto } from '../dto/export-memories.dto.js';
import { MemoryService } from '../memory.service.js';

export interface ExportJobResult {
  memories: number;
  /** Where to download the JSON Lines file. */
  download: string;
}

/** Writes the selected memories as JSON Lines (the import format) into a file kept for download. */
declare module '../../jobs/jobs.types.js' {
  interface JobMap {
    export: { data: ExportMemoriesDto; result: ExportJobResult };
  }
}

@ProcessesQueue(QueueName.Export)
export class ExportProcessor implements JobProcessor<typeof QueueName.Export> {
  constructor(
    private readonly memories: MemoryService,
    private readonly jobs: JobsService,
  ) {}

  async process(job: JobHandle<ExportMemoriesDto>): Promise<ExportJobResult> {
    const c = job.data;
    const { body, count } = await this.memories.exportLines(
      { userId: c.userId, agentId: c.agentId, runId: c.runId, type: c.type },
      async (done) => {
        // The total is unknown until the end: report pages as they go, short of 100 %.
        await job.updateProgress(Math.min(99, done / 1000));
      },
    );
    await this.jobs.saveResult(job.id, job.organizationId!, { contentType: 'application/x-ndjson', body });
    return { memories: count, download: `/api/v1/jobs/${job.id}/result` };
  }
}
