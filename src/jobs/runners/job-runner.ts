import type { JobEnvelope, JobRecord, QueueName, RetryPolicy } from '../jobs.types.js';

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

  abstract find(id: string): Promise<JobRecord | null>;

  /** Starts taking jobs from every queue in this process. */
  abstract startWorkers(): Promise<void>;

  /** Queues a job every `everyMs` (one schedule per key, however many processes declare it). */
  abstract repeat(queue: QueueName, key: string, everyMs: number, envelope: JobEnvelope): Promise<void>;

  /** Stops taking jobs, lets running ones finish (within `graceMs`), and disconnects. */
  abstract close(graceMs: number): Promise<void>;
}
