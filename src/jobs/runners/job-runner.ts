import { QUEUE_NAMES } from '../jobs.types.js';
import type { JobEnvelope, JobRecord, QueueName, RetryPolicy } from '../jobs.types.js';

/** The states a queue's gauge reports (agentmem_queue_jobs{queue,state}). */
export const COUNTED_STATES = ['waiting', 'active', 'delayed', 'failed'] as const;
export type CountedState = (typeof COUNTED_STATES)[number];
/** Jobs per queue and state, as the queues hold them now (every queue, zeros included). */
export type QueueCounts = Record<QueueName, Record<CountedState, number>>;

/** Every queue, every counted state at zero. */
export function emptyCounts(): QueueCounts {
  return Object.fromEntries(
    QUEUE_NAMES.map((queue) => [queue, Object.fromEntries(COUNTED_STATES.map((state) => [state, 0]))]),
  ) as QueueCounts;
}

/**
 * Where jobs wait and who runs them: BullMQ (on Redis or PostgreSQL) or the in-process runner
 * of the embedded mode. The API is the same, so controllers and processors do not know which.
 */
export abstract class JobRunner {
  abstract readonly kind: 'redis' | 'postgres' | 'inline';

  /**
   * Queues a job under the given id (a job with that id already queued is not added twice),
   * retried by `retry` when given.
   */
  abstract enqueue(queue: QueueName, envelope: JobEnvelope, jobId: string, retry?: RetryPolicy): Promise<void>;

  /** A job by id; `queue`, when known, spares looking in the others. */
  abstract find(id: string, queue?: QueueName): Promise<JobRecord | null>;

  /** How many jobs each queue holds per state (read when metrics are scraped). */
  abstract counts(): Promise<QueueCounts>;

  /** Starts taking jobs from every queue in this process. */
  abstract startWorkers(): Promise<void>;

  /** Queues a job every `everyMs` (one schedule per key, however many processes declare it). */
  abstract repeat(queue: QueueName, key: string, everyMs: number, envelope: JobEnvelope): Promise<void>;

  /** Stops taking jobs, lets running ones finish (within `graceMs`), and disconnects. */
  abstract close(graceMs: number): Promise<void>;
}
