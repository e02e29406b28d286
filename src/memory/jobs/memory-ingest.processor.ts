import { plainToInstance } from 'class-transformer';
import { ProcessesQueue } from '../../jobs/processes-queue.decorator.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobHandle, JobProcessor } from '../../jobs/jobs.types.js';
import { CreateMemoryDto } from '../dto/create-memory.dto.js';
import type { AddMemoriesResponseDto } from '../dto/memory-response.dto.js';
import { MemoryService } from '../memory.service.js';

/**
 * POST /memories with async: the same add, in a worker. A retry is harmless: texts stored as
 * given are deduplicated, and extraction reconciles facts with what is already known.
 */
declare module '../../jobs/jobs.types.js' {
  interface JobMap {
    /** The body of POST /memories (or an agent turn's messages), as plain JSON. */
    'memory-ingest': { data: MemoryIngestData; result: AddMemoriesResponseDto };
  }
}

/** What an add carries into the queue: the request body's fields (made a CreateMemoryDto again in the worker). */
export type MemoryIngestData = Partial<CreateMemoryDto>;

@ProcessesQueue(QueueName.MemoryIngest)
export class MemoryIngestProcessor implements JobProcessor<typeof QueueName.MemoryIngest> {
  constructor(private readonly memories: MemoryService) {}

  async process(job: JobHandle<MemoryIngestData>): Promise<AddMemoriesResponseDto> {
    return this.memories.add(plainToInstance(CreateMemoryDto, job.data), 'async_processed');
  }
}
