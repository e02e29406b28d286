import type { Principal } from '../common/context/principal.js';

export const QueueName = {
  MemoryIngest: 'memory-ingest',
  Import: 'import',
  Export: 'export',
  Reembed: 'reembed',
  Maintenance: 'maintenance',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** BullMQ's job states that matter to clients (prioritized and waiting-children read as waiting). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** What a queue holds: the caller the job acts for (null for system jobs) and the processor's input. */
export interface JobEnvelope<D = unknown> {
  organizationId: string | null;
  principal: Principal | null;
  /** The input, or null when it is kept in `job_payloads` (`payloadStored`). */
  payload: D | null;
  payloadStored?: boolean;
}

/** A job as a processor sees it, whichever runner runs it. */
export interface JobHandle<D = unknown> {
  id: string;
  queue: QueueName;
  organizationId: string | null;
  data: D;
  /** Attempts before this one. */
  attemptsMade: number;
  /** Reports progress (0–100): stored with the job and sent to the organization's clients. */
  updateProgress(percent: number): Promise<void>;
}

/** One queue's work. Must be idempotent: a job may run again after a crash or a failed attempt. */
export interface JobProcessor<D = unknown, R = unknown> {
  process(job: JobHandle<D>): Promise<R>;
}

export interface JobRecord {
  id: string;
  queue: QueueName;
  organizationId: string | null;
  state: JobState;
  progress: number;
  result: unknown;
  error: string | null;
  attemptsMade: number;
  maxAttempts: number;
  createdAt: Date;
  finishedAt: Date | null;
}

/** Job events; their payload is JobEventPayload. */
export const JobEventName = {
  Progress: 'job.progress',
  Completed: 'job.completed',
  Failed: 'job.failed',
} as const;

export interface JobEventPayload {
  jobId: string;
  queue: QueueName;
  state: JobState;
  progress: number;
  result?: unknown;
  error?: string;
}
