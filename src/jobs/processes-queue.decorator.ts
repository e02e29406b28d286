import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { JobProcessor, QueueName } from './jobs.types.js';

export const JOB_QUEUE = 'agentmem:job-queue';

/**
 * Marks a provider as the processor of a queue (like @nestjs/bullmq's @Processor): the jobs
 * module finds it at start, whichever runner (BullMQ or in-process) executes the queue.
 */
export function ProcessesQueue<Q extends QueueName>(
  queue: Q,
): (target: abstract new (...args: never[]) => JobProcessor<Q>) => void {
  // The class must be that queue's JobProcessor: another queue's data or result does not compile.
  return applyDecorators(Injectable(), SetMetadata(JOB_QUEUE, queue));
}
