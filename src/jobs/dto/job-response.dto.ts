import type { JobRecord, JobState, QueueName } from '../jobs.types.js';

export class JobResponseDto {
  id: string;
  /** @example "import" */
  queue: QueueName;
  /** waiting, active, delayed (waiting to retry), completed or failed. */
  state: JobState;
  /** Percent done, 0–100. */
  progress: number;
  /** What the job returned (when completed). */
  result?: unknown;
  /** Why the last attempt failed. */
  error?: string;
  /** Attempts made so far. */
  attempts: number;
  maxAttempts: number;
  createdAt: Date;
  finishedAt: Date | null;

  static from(this: void, job: JobRecord): JobResponseDto {
    return {
      id: job.id,
      queue: job.queue,
      state: job.state,
      progress: job.progress,
      ...(job.result !== null && job.result !== undefined ? { result: job.result } : {}),
      ...(job.error ? { error: job.error } : {}),
      attempts: job.attemptsMade,
      maxAttempts: job.maxAttempts,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
    };
  }
}

export class JobPageResponseDto {
  /** Newest first. */
  data: JobResponseDto[];
  /** Pass as `cursor` to get the next (older) page; null on the last page. */
  nextCursor: string | null;
}

export class JobAcceptedResponseDto {
  /** Follow it at GET /api/v1/jobs/{jobId}, or live as job_progress events. */
  jobId: string;
}
