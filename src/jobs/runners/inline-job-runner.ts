import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { uuidv7 } from '../../common/ids.js';
import { returnedRows } from '../../database/returned-rows.js';
import type { AppConfig } from '../../config/app-config.js';
import type { JobExecutor } from '../job-executor.js';
import type { JobEnvelope, JobRecord, JobState, QueueName, RetryPolicy } from '../jobs.types.js';
import { COUNTED_STATES, emptyCounts, JobRunner } from './job-runner.js';
import type { CountedState, QueueCounts } from './job-runner.js';

interface JobRow {
  id: string;
  organization_id: string | null;
  queue: QueueName;
  data: JobEnvelope;
  state: JobState;
  progress: number;
  result: unknown;
  error: string | null;
  attempts_made: number;
  max_attempts: number;
  run_at: Date;
  created_at: Date;
  finished_at: Date | null;
}

/** BullMQ's exponential backoff: 1 s, 2 s, 4 s... (or from the job's own base). */
const backoffMs = (attempt: number, baseMs = 1000) => baseMs * 2 ** (attempt - 1);

/**
 * The embedded mode's queue: jobs are rows of the `jobs` table, run by this process with the
 * same processors, retries and progress events as under BullMQ (like eager mode in other queue
 * systems, but durable). A job acknowledged with 202 survives a crash: at the next start every
 * unfinished job runs again. For one process only: several servers sharing a database need
 * BullMQ (REDIS_URL, or JOBS_BACKEND=postgres).
 */
export class InlineJobRunner extends JobRunner {
  readonly kind = 'inline' as const;
  private readonly logger = new Logger('Jobs');
  private readonly pending = new Map<QueueName, string[]>();
  private readonly running = new Map<QueueName, number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private accepting = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly executor: JobExecutor,
  ) {
    super();
  }

  async enqueue(queue: QueueName, envelope: JobEnvelope, jobId: string, retry?: RetryPolicy): Promise<void> {
    const stored = retry ? { ...envelope, backoffMs: retry.backoffMs } : envelope;
    const inserted: { id: string }[] = await this.dataSource.query(
      `INSERT INTO jobs (id, organization_id, queue, data, state, max_attempts) VALUES ($1, $2, $3, $4::jsonb, 'waiting', $5)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [jobId, envelope.organizationId, queue, JSON.stringify(stored), retry?.attempts ?? this.config.JOBS_ATTEMPTS],
    );
    if (inserted.length) this.ready(queue, jobId);
  }

  async find(id: string): Promise<JobRecord | null> {
    // Not the data: an import's rows can weigh megabytes, a status read needs none of them.
    const rows: Omit<JobRow, 'data'>[] = await this.dataSource.query(
      `SELECT id, organization_id, queue, state, progress, result, error, attempts_made, max_attempts, run_at, created_at, finished_at FROM jobs WHERE id = $1`,
      [id],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async counts(): Promise<QueueCounts> {
    const rows: { queue: QueueName; state: CountedState; n: string | number }[] = await this.dataSource.query(
      `SELECT queue, state, count(*) AS n FROM jobs WHERE state = ANY($1) GROUP BY queue, state`,
      [[...COUNTED_STATES]],
    );
    const counts = emptyCounts();
    for (const row of rows) if (counts[row.queue]) counts[row.queue][row.state] = Number(row.n);
    return counts;
  }

  async startWorkers(): Promise<void> {
    this.accepting = true;
    // Jobs a crash interrupted ('active') or left waiting run again; retries keep their time.
    const rows: Pick<JobRow, 'id' | 'queue' | 'run_at'>[] = await this.dataSource.query(
      `SELECT id, queue, run_at FROM jobs WHERE state IN ('waiting', 'active', 'delayed') ORDER BY created_at, id`,
    );
    if (rows.length) this.logger.log(`resuming ${rows.length} unfinished job(s)`);
    for (const row of rows) this.later(row.queue, row.id, new Date(row.run_at).getTime() - Date.now());
  }

  async repeat(queue: QueueName, _key: string, everyMs: number, envelope: JobEnvelope): Promise<void> {
    const tick = () => {
      if (!this.accepting) return;
      this.enqueue(queue, envelope, uuidv7()).catch((error: unknown) =>
        this.logger.warn(`could not queue ${queue}: ${String(error)}`),
      );
    };
    const timer = setInterval(tick, everyMs);
    timer.unref();
    this.timers.add(timer);
  }

  async close(graceMs: number): Promise<void> {
    this.accepting = false;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    // Running jobs get graceMs; one still running after that is 'active' in the table and
    // runs again at the next start.
    await Promise.race([Promise.allSettled([...this.inFlight]), new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  private later(queue: QueueName, id: string, delayMs: number): void {
    if (delayMs <= 0) return this.ready(queue, id);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready(queue, id);
    }, delayMs);
    this.timers.add(timer);
  }

  private ready(queue: QueueName, id: string): void {
    if (!this.accepting) return; // picked up by startWorkers()
    const list = this.pending.get(queue) ?? [];
    list.push(id);
    this.pending.set(queue, list);
    this.drain(queue);
  }

  private drain(queue: QueueName): void {
    const list = this.pending.get(queue) ?? [];
    while (this.accepting && list.length && (this.running.get(queue) ?? 0) < this.config.JOBS_CONCURRENCY) {
      const id = list.shift()!;
      this.running.set(queue, (this.running.get(queue) ?? 0) + 1);
      const run = this.run(id)
        .catch((error: unknown) => this.logger.error({ err: error, job: id }, 'job bookkeeping failed'))
        .finally(() => {
          this.inFlight.delete(run);
          this.running.set(queue, (this.running.get(queue) ?? 1) - 1);
          this.drain(queue);
        });
      this.inFlight.add(run);
    }
  }

  private async run(id: string): Promise<void> {
    // Claiming counts the attempt first, so a job that crashes the process cannot loop forever.
    const claimed = returnedRows<JobRow>(
      await this.dataSource.query(
        `UPDATE jobs SET state = 'active', attempts_made = attempts_made + 1
       WHERE id = $1 AND state IN ('waiting', 'active', 'delayed') RETURNING *`,
        [id],
      ),
    );
    if (!claimed.length) return;
    const job = claimed[0];
    if (job.attempts_made > job.max_attempts) {
      const message = 'interrupted by a crash on every attempt';
      await this.finish(id, 'failed', null, message);
      this.executor.failed(
        { id, queue: job.queue, envelope: job.data },
        new Error(message),
        false,
        Number(job.progress),
      );
      return;
    }
    let progress = Number(job.progress);
    const runnable = {
      id,
      queue: job.queue,
      envelope: job.data,
      attemptsMade: job.attempts_made - 1,
      maxAttempts: job.max_attempts,
      saveProgress: async (percent: number) => {
        progress = percent;
        await this.dataSource.query(`UPDATE jobs SET progress = $2 WHERE id = $1`, [id, percent]);
      },
    };
    let result: unknown;
    try {
      result = await this.executor.execute(runnable);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retrying = job.attempts_made < job.max_attempts;
      if (retrying) {
        const delay = backoffMs(job.attempts_made, job.data.backoffMs);
        await this.dataSource.query(
          `UPDATE jobs SET state = 'delayed', error = $2, run_at = now() + make_interval(secs => $3) WHERE id = $1`,
          [id, message, delay / 1000],
        );
        this.later(job.queue, id, delay);
      } else {
        await this.finish(id, 'failed', null, message);
      }
      this.executor.failed(runnable, error, retrying, progress);
      return;
    }
    await this.finish(id, 'completed', result ?? null, null);
    this.executor.completed(runnable, result);
  }

  private async finish(
    id: string,
    state: 'completed' | 'failed',
    result: unknown,
    error: string | null,
  ): Promise<void> {
    await this.dataSource.query(
      `UPDATE jobs SET state = $2, result = $3::jsonb, error = $4, finished_at = now(), progress = CASE WHEN $2 = 'completed' THEN 100 ELSE progress END WHERE id = $1`,
      [id, state, result === null ? null : JSON.stringify(result), error],
    );
  }
}

function toRecord(r: Omit<JobRow, 'data'>): JobRecord {
  return {
    id: r.id,
    queue: r.queue,
    organizationId: r.organization_id,
    state: r.state,
    progress: Number(r.progress),
    result: r.result,
    error: r.error,
    // While active, the running attempt is counted already; clients see attempts made so far.
    attemptsMade: r.state === 'active' ? r.attempts_made - 1 : r.attempts_made,
    maxAttempts: r.max_attempts,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}
