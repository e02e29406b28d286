import { Logger } from '@nestjs/common';
import { createPostgresBackend, Queue, Worker, withBackend } from 'bullmq';
import type { Job, JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { closeRedis } from '../../common/redis-close.js';
import type { AppConfig } from '../../config/app-config.js';
import type { JobExecutor } from '../job-executor.js';
import { JobsError, JobsErrorCode } from '../jobs.errors.js';
import { QUEUE_NAMES } from '../jobs.types.js';
import { emptyCounts, JobRunner } from './job-runner.js';
import type { QueueCounts } from './job-runner.js';
import type { JobEnvelope, JobRecord, JobState, QueueName, RetryPolicy } from '../jobs.types.js';
import { withTimeout } from '../../common/with-timeout.js';

const DAY_SECONDS = 86_400;
const QUEUE_TIMEOUT_MS = 5000;
/** ioredis's states between losing its connection and getting it back. */
const LOST = new Set(['close', 'reconnecting', 'end']);

/**
 * BullMQ queues and workers, on Redis (REDIS_URL) or on BullMQ's PostgreSQL backend
 * (DATABASE_URL without Redis). Failed attempts retry with exponential backoff; finished jobs
 * are kept a day (failed ones a week) for GET /jobs/:id and the dashboard.
 */
export class BullmqJobRunner extends JobRunner {
  readonly kind: 'redis' | 'postgres';
  private readonly logger = new Logger('Jobs');
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];
  private closing = false;
  private readonly redis: Redis | null;
  private readonly classes: { Queue: typeof Queue; Worker: typeof Worker };
  private readonly connection: Redis | { connectionString: string; migrate: boolean };

  constructor(
    private readonly config: AppConfig,
    private readonly executor: JobExecutor,
  ) {
    super();
    this.kind = config.jobsBackend === 'redis' ? 'redis' : 'postgres';
    if (this.kind === 'redis') {
      // BullMQ wants commands to wait for Redis rather than fail (workers block on it).
      this.redis = new Redis(config.REDIS_URL!, { maxRetriesPerRequest: null, connectionName: 'agentmem-jobs' });
      this.redis.on('error', () => undefined); // readiness reports Redis
      this.connection = this.redis;
      this.classes = { Queue, Worker };
    } else {
      this.redis = null;
      this.connection = { connectionString: config.DATABASE_URL!, migrate: true };
      this.classes = withBackend(createPostgresBackend) as unknown as { Queue: typeof Queue; Worker: typeof Worker };
    }
    const defaultJobOptions: JobsOptions = {
      attempts: config.JOBS_ATTEMPTS,
      backoff: { type: 'exponential', delay: 1000 },
      removeOnComplete: { age: DAY_SECONDS, count: 10_000 },
      removeOnFail: { age: 7 * DAY_SECONDS },
    };
    for (const name of QUEUE_NAMES) {
      const queue = new this.classes.Queue(name, {
        connection: this.connection,
        prefix: config.QUEUE_PREFIX,
        defaultJobOptions,
      });
      queue.on('error', (error: Error) => this.logger.warn(`queue ${name}: ${error.message}`));
      this.queues.set(name, queue);
    }
  }

  /** The BullMQ queues (for the dashboard). */
  get bullQueues(): Queue[] {
    return [...this.queues.values()];
  }

  async enqueue(queue: QueueName, envelope: JobEnvelope, jobId: string, retry?: RetryPolicy): Promise<void> {
    // Refused at once while the connection to Redis is lost: the add would wait in ioredis's
    // offline queue and run when Redis is back, a job done after its caller was told 503 (found
    // by the chaos test). A first connection still being made is waited for, as before.
    if (this.redis && LOST.has(this.redis.status)) throw this.unavailable();
    const policy = retry ? { attempts: retry.attempts, backoff: { type: 'exponential', delay: retry.backoffMs } } : {};
    await this.answered(this.queue(queue).add(queue, envelope, { jobId, ...policy }));
  }

  async find(id: string, queue?: QueueName): Promise<JobRecord | null> {
    return this.answered(this.lookUp(id, queue));
  }

  async counts(): Promise<QueueCounts> {
    const counts = emptyCounts();
    await this.answered(
      Promise.all(
        QUEUE_NAMES.map(async (name) => {
          const c = await this.queue(name).getJobCounts(
            'waiting',
            'prioritized',
            'waiting-children',
            'active',
            'delayed',
            'failed',
          );
          counts[name] = {
            waiting: (c.waiting ?? 0) + (c.prioritized ?? 0) + (c['waiting-children'] ?? 0),
            active: c.active ?? 0,
            delayed: c.delayed ?? 0,
            failed: c.failed ?? 0,
          };
        }),
      ),
    );
    return counts;
  }

  /** Commands wait for Redis to come back; a caller waits at most QUEUE_TIMEOUT_MS, then gets a 503. */
  private answered<T>(work: Promise<T>): Promise<T> {
    return withTimeout(work, QUEUE_TIMEOUT_MS, () => {
      throw this.unavailable();
    });
  }

  private unavailable(): JobsError {
    return new JobsError(
      JobsErrorCode.QueueUnavailable,
      `The job queue (${this.kind}) is not answering; try again later (see /health/ready)`,
    );
  }

  private async lookUp(id: string, queue?: QueueName): Promise<JobRecord | null> {
    // The state first (cheap, and 'unknown' in the queues that do not hold the id), then the
    // job once: a job finishing in between must not read as completed without its result.
    const names = queue ? [queue] : QUEUE_NAMES;
    const states = await Promise.all(names.map((name) => this.queue(name).getJobState(id)));
    const index = states.findIndex((s) => s !== 'unknown');
    if (index < 0) return null;
    const job = await this.queue(names[index]).getJob(id);
    return job ? toRecord(names[index], job, states[index]) : null;
  }

  async startWorkers(): Promise<void> {
    // A server starts (and serves everything but jobs) while Redis is down: the workers are
    // made once it answers. (A BullMQ worker made before that cannot be closed until it does.)
    if (this.redis && this.redis.status !== 'ready') {
      const warning = setTimeout(
        () => this.logger.warn('Redis is not answering: job workers start when it does'),
        2000,
      ).unref();
      this.redis.once('ready', () => {
        clearTimeout(warning);
        if (!this.closing) this.createWorkers();
      });
      return;
    }
    this.createWorkers();
  }

  private createWorkers(): void {
    for (const name of QUEUE_NAMES) {
      const worker = new this.classes.Worker(
        name,
        async (job: Job) =>
          this.executor.execute({
            id: String(job.id),
            queue: name,
            envelope: job.data as JobEnvelope,
            attemptsMade: job.attemptsMade,
            maxAttempts: job.opts.attempts ?? 1,
            saveProgress: (percent) => job.updateProgress(percent),
          }),
        {
          connection: this.connection,
          prefix: this.config.QUEUE_PREFIX,
          concurrency: this.config.JOBS_CONCURRENCY,
          // A crashed worker's job goes back to the queue after this long without a lock renewal.
          lockDuration: this.config.JOBS_LOCK_MS,
          stalledInterval: this.config.JOBS_LOCK_MS,
          maxStalledCount: 2,
        },
      );
      worker.on('error', (error: Error) => this.logger.warn(`worker ${name}: ${error.message}`));
      // BullMQ emits these once the outcome is stored, so clients reacting to them read it.
      worker.on('completed', (job: Job, result: unknown) => this.executor.completed(announced(name, job), result));
      worker.on('failed', (job: Job | undefined, error: Error) => {
        if (!job) return;
        const retrying = job.attemptsMade < (job.opts.attempts ?? 1);
        this.executor.failed(
          announced(name, job),
          error,
          retrying,
          typeof job.progress === 'number' ? job.progress : 0,
        );
      });
      this.workers.push(worker);
    }
  }

  async repeat(queue: QueueName, key: string, everyMs: number, envelope: JobEnvelope): Promise<void> {
    // Idempotent (one schedule per key across processes); not awaited, like the workers.
    this.queue(queue)
      .upsertJobScheduler(
        key,
        { every: everyMs },
        { name: queue, data: envelope, opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
      )
      .catch((error: unknown) => this.logger.warn(`could not schedule ${key}: ${String(error)}`));
  }

  async close(graceMs: number): Promise<void> {
    this.closing = true;
    // Running jobs get graceMs to finish; after that they are abandoned to the lock timeout and
    // another worker (or this one, restarted) runs them again: processors are idempotent.
    const closing = Promise.all(this.workers.map((w) => w.close().catch(() => undefined)));
    const finished = await withTimeout(
      closing.then(() => true),
      graceMs,
      () => false,
    );
    if (!finished)
      await withTimeout(
        Promise.all(this.workers.map((w) => w.close(true).catch(() => undefined))),
        1000,
        () => undefined,
      );
    // With Redis gone, closing would wait for it: disconnect the shared client first.
    if (this.redis && this.redis.status !== 'ready') this.redis.disconnect();
    await withTimeout(
      Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined))),
      2000,
      () => undefined,
    );
    if (this.redis) await closeRedis(this.redis);
  }

  private queue(name: QueueName): Queue {
    return this.queues.get(name)!;
  }
}

function announced(queue: QueueName, job: Job) {
  return { id: String(job.id), queue, envelope: job.data as JobEnvelope };
}

function toRecord(queue: QueueName, job: Job, state: string): JobRecord {
  const envelope = job.data as JobEnvelope;
  return {
    id: String(job.id),
    queue,
    organizationId: envelope.organizationId,
    state: normalizeState(state),
    progress: typeof job.progress === 'number' ? job.progress : 0,
    result: job.returnvalue ?? null,
    error: job.failedReason ?? null,
    attemptsMade: job.attemptsMade,
    maxAttempts: job.opts.attempts ?? 1,
    createdAt: new Date(job.timestamp),
    finishedAt: job.finishedOn ? new Date(job.finishedOn) : null,
  };
}

function normalizeState(state: string): JobState {
  return state === 'active' || state === 'delayed' || state === 'completed' || state === 'failed' ? state : 'waiting';
}
