import { applyDecorators, Injectable, SetMetadata } from '@nestjs/common';
import type { QueueName } from './jobs.types.js';

export const JOB_QUEUE = 'agentmem:job-queue';

/**
 * Marks a provider as the processor of a queue (like @nestjs/bullmq's @Processor): the jobs
 * module finds it at start, whichever runner (BullMQ or in-process) executes the queue.
 */
export const ProcessesQueue = (queue: QueueName) => applyDecorators(Injectable(), SetMetadata(JOB_QUEUE, queue));
