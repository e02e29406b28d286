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
@ProcessesQueue(QueueName.MemoryIngest)
export class MemoryIngestProcessor implements JobProcessor<Record<string, unknown>, AddMemoriesResponseDto> {
  constructor(private readonly memories: MemoryService) {}

  async process(job: JobHandle<Record<string, unknown>>): Promise<AddMemoriesResponseDto> {
    return this.memories.add(plainToInstance(CreateMemoryDto, job.data));
  }
}
