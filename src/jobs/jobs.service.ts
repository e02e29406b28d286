import { Inject, Injectable } from '@nestjs/common';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { uuidv7 } from '../common/ids.js';
import type { Page } from '../common/pagination/page.js';
import { JobDataRepository } from './job-data.repository.js';
import type { StoredResult } from './job-data.repository.js';
import type { JobData, JobRecord, QueueName } from './jobs.types.js';
import { JobRunner } from './runners/job-runner.js';

/** Inputs larger than this (as JSON) are kept in `job_payloads` rather than in the queue. */
const INLINE_PAYLOAD_LIMIT = 64 * 1024;

const tracer = trace.getTracer('agentmem');

/** Queues jobs for the caller's organization and reads them back (another organization's job is a 404). */
/** Index reads one page of GET /jobs may take to fill up when jobs past their retention are skipped. */
const LIST_READS_PER_PAGE = 3;

@Injectable()
export class JobsService {
  constructor(
    @Inject(JobRunner) private readonly runner: JobRunner,
    private readonly data: JobDataRepository,
    private readonly tenant: TenantContext,
  ) {}

  /**
   * Queues a job acting as the current caller; returns its id at once. Traced as a PRODUCER span
   * `enqueue <queue>` whose context rides in the envelope: the job's span is its child.
   */
  async enqueue<Q extends QueueName>(queue: Q, payload: JobData<Q>): Promise<string> {
    const id = uuidv7();
    const attributes = {
      'messaging.operation.type': 'send',
      'messaging.destination.name': queue,
      'messaging.message.id': id,
    };
    return tracer.startActiveSpan(`enqueue ${queue}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      try {
        await this.send(queue, payload, id);
        return id;
      } catch (error) {
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        span.end();
      }
    });
  }

  private async send<Q extends QueueName>(queue: Q, payload: JobData<Q>, id: string): Promise<void> {
    const principal = this.tenant.principal;
    // A large input (an import) waits in the database, not in the queue (Redis memory, and
    // every status read of a BullMQ job loads its data).
    const stored = JSON.stringify(payload).length > INLINE_PAYLOAD_LIMIT;
    if (stored) await this.data.savePayload(id, principal.organizationId, payload);
    await this.data.index(id, principal.organizationId, queue);
    try {
      await this.runner.enqueue(
        queue,
        {
          organizationId: principal.organizationId,
          principal,
          payload: stored ? null : payload,
          payloadStored: stored,
          ...traceCarrier(),
        },
        id,
      );
    } catch (error) {
      if (stored) await this.data.deletePayload(id).catch(() => undefined);
      await this.data.unindex(id).catch(() => undefined);
      throw error;
    }
  }

  async find(id: string): Promise<JobRecord> {
    const job = await this.runner.find(id);
    if (!job || job.organizationId !== this.tenant.organizationId) throw CommonError.notFound('job', id);
    return job;
  }

  /**
   * The organization's recent jobs, newest first, as their runner reports them now (each looked
   * up in its own queue). Jobs the runner no longer keeps (past its retention) are skipped and
   * more are read in their place, up to LIST_READS_PER_PAGE reads: a page holds fewer than
   * `limit` only then or at the end, and `nextCursor` still leads on.
   */
  async list(limit: number, cursor?: string): Promise<Page<JobRecord>> {
    const organizationId = this.tenant.organizationId;
    const found: JobRecord[] = [];
    let after = cursor;
    for (let read = 0; read < LIST_READS_PER_PAGE && found.length < limit; read++) {
      const wanted = limit - found.length;
      const entries = await this.data.indexed(organizationId, wanted + 1, after);
      const jobs = await Promise.all(entries.slice(0, wanted).map((e) => this.runner.find(e.id, e.queue)));
      for (const job of jobs) if (job && job.organizationId === organizationId) found.push(job);
      if (entries.length <= wanted) return { data: found, nextCursor: null };
      after = entries[wanted - 1].id;
    }
    return { data: found, nextCursor: after ?? null };
  }

  /** A processor stores its job's downloadable result. */
  async saveResult(jobId: string, organizationId: string, result: StoredResult): Promise<void> {
    await this.data.save(jobId, organizationId, result);
  }

  async result(id: string): Promise<StoredResult> {
    await this.find(id);
    const stored = await this.data.find(id, this.tenant.organizationId);
    if (!stored) throw CommonError.notFound('result of job', id);
    return stored;
  }

  /** Housekeeping (the maintenance job): old result files and finished in-process jobs. */
  prune(resultDays = 1): Promise<{ results: number; jobs: number }> {
    return this.data.prune(resultDays);
  }
}

/** The active trace context as W3C headers for the envelope; nothing when tracing is off. */
function traceCarrier(): { trace?: Record<string, string> } {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return Object.keys(carrier).length ? { trace: carrier } : {};
}
