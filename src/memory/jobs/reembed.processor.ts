import { ProcessesQueue } from '../../jobs/processes-queue.decorator.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../../jobs/jobs.types.js';
import { MemoryService } from '../memory.service.js';

/**
 * Recomputes the embeddings of an organization's memories with the server's embedder (after a
 * model change of the same size, or to fill vectors stored while none could be computed).
 * A change of size needs `npm run reembed` with the server stopped.
 */
declare module '../../jobs/jobs.types.js' {
  interface JobMap {
    reembed: { data: Record<string, never>; result: { memories: number } };
  }
}

@ProcessesQueue(QueueName.Reembed)
export class ReembedProcessor implements JobProcessor<typeof QueueName.Reembed> {
  constructor(private readonly memories: MemoryService) {}

  async process(job: JobHandle<Record<string, never>>): Promise<{ memories: number }> {
    const memories = await this.memories.reembedAll((done, total) =>
      job.updateProgress(Math.min(99, (done / Math.max(1, total)) * 100)),
    );
    return { memories };
  }
}
