import type { Principal } from '../common/context/principal.js';

export const QueueName = {
  MemoryIngest: 'memory-ingest',
  Import: 'import',
  Export: 'export',
  Reembed: 'reembed',
  Maintenance: 'maintenance',
  WebhookDelivery: 'webhook-delivery',
} as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const QUEUE_NAMES: readonly QueueName[] = Object.values(QueueName);

/** A queue's own retry policy, where the default (JOBS_ATTEMPTS, backoff from 1 s) does not fit. */
export interface RetryPolicy {
  attempts: number;
  /** The first retry's delay; each next one doubles it. */
  backoffMs: number;
}

/** BullMQ's job states that matter to clients (prioritized and waiting-children read as waiting). */
export type JobState = 'waiting' | 'active' | 'delayed' | 'completed' | 'failed';

/** What a queue holds: the caller the job acts for (null for system jobs) and the processor's input. */
export interface JobEnvelope<D = unknown> {
  organizationId: string | null;
  principal: Principal | null;
  /** The input, or null when it is kept in `job_payloads` (`payloadStored`). */
  payload: D | null;
  payloadStored?: boolean;
  /** The in-process runner's backoff base when the job has its own RetryPolicy. */
  backoffMs?: number;
  /**
   * The trace context of the code that queued the job (W3C `traceparent`/`tracestate`), so its
   * processing continues the same trace in whichever process runs it. Absent when untraced.
   */
  trace?: Record<string, string>;
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

/**
 * Each queue's input and result. The module that processes a queue declares its entry into this
 * map beside its processor (declaration merging, e.g. memory/jobs/import.processor.ts), so that
 * `JobsService.enqueue` takes exactly what the processor reads and the processor returns what
 * the job's result says: a mismatch does not compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by the processors' declarations
export interface JobMap {}

export type JobData<Q extends QueueName> = Q extends keyof JobMap
  ? JobMap[Q] extends { data: infer D }
    ? D
    : never
  : never;
export type JobResult<Q extends QueueName> = Q extends keyof JobMap
  ? JobMap[Q] extends { result: infer R }
    ? R
    : never
  : never;

/** One queue's work. Must be idempotent: a job may run again after a crash or a failed attempt. */
export interface JobProcessor<Q extends QueueName> {
  process(job: JobHandle<JobData<Q>>): Promise<JobResult<Q>>;
}

/** A processor of some queue, as the executor holds it: the queue's data is JSON it hands on unread. */
export interface AnyJobProcessor {
  process(job: JobHandle<never>): Promise<unknown>;
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

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'job.progress': JobEventPayload;
    'job.completed': JobEventPayload;
    'job.failed': JobEventPayload;
  }
}
export type JobEventName = (typeof JobEventName)[keyof typeof JobEventName];
