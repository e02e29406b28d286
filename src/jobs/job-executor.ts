import { Injectable, Logger } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Context } from '@opentelemetry/api';
import { TenantContext } from '../common/context/tenant-context.js';
import { domainEvent, EventBus } from '../common/events/event-bus.js';
import { MetricsService } from '../observability/metrics.service.js';
import { JobDataRepository } from './job-data.repository.js';
import { JobEventName } from './jobs.types.js';
import type { AnyJobProcessor, JobEnvelope, JobEventPayload, JobHandle, QueueName } from './jobs.types.js';

/** What an announcement needs to know of a job. */
export type AnnouncedJob = Pick<RunnableJob, 'id' | 'queue' | 'envelope'>;

/** Results larger than this (as JSON) are not sent in job events. */
const MAX_RESULT_IN_EVENT = 4000;

const tracer = trace.getTracer('agentmem');

/** The trace the job was queued in (its envelope's W3C headers), or a new one. */
function queuedContext(job: AnnouncedJob): Context {
  return job.envelope.trace ? propagation.extract(ROOT_CONTEXT, job.envelope.trace) : ROOT_CONTEXT;
}

/** What a runner knows of a job it is about to run. */
export interface RunnableJob {
  id: string;
  queue: QueueName;
  envelope: JobEnvelope;
  attemptsMade: number;
  maxAttempts: number;
  /** Stores progress with the job (BullMQ's job.updateProgress, or the jobs table). */
  saveProgress(percent: number): Promise<void>;
}

/**
 * Runs one attempt of a job with its queue's processor, as the caller who queued it (tenant
 * context), and tells the organization's clients: started, progress, completed or failed.
 * Both runners (BullMQ and in-process) go through here, so jobs behave the same in each, and
 * are traced and measured the same: each attempt is a span `job <queue>` in the trace that
 * queued it, and a sample of agentmem_job_duration_seconds.
 */
@Injectable()
export class JobExecutor {
  private readonly logger = new Logger('Jobs');
  private readonly processors = new Map<QueueName, AnyJobProcessor>();

  constructor(
    private readonly tenant: TenantContext,
    private readonly bus: EventBus,
    private readonly payloads: JobDataRepository,
    private readonly metrics: MetricsService,
  ) {}

  register(queue: QueueName, processor: AnyJobProcessor): void {
    if (this.processors.has(queue)) throw new Error(`queue ${queue} has two processors`);
    this.processors.set(queue, processor);
  }

  has(queue: QueueName): boolean {
    return this.processors.has(queue);
  }

  /**
   * Runs one attempt: the processor, as the caller who queued the job. Announces the start and
   * each progress step; the runner announces the outcome once it has stored it
   * (`completed` / `failed`), so a client reacting to the event reads the stored job.
   */
  async execute(job: RunnableJob): Promise<unknown> {
    const stop = this.metrics.jobDuration.startTimer({ queue: job.queue });
    // The root of the attempt is the queuing code's context, never whatever is active here (an
    // in-process runner may start a job from inside another request or job).
    const attributes = {
      'messaging.operation.type': 'process',
      'messaging.destination.name': job.queue,
      'messaging.message.id': job.id,
      'agentmem.job.attempt': job.attemptsMade + 1,
    };
    return tracer.startActiveSpan(
      `job ${job.queue}`,
      { kind: SpanKind.CONSUMER, attributes },
      queuedContext(job),
      async (span) => {
        try {
          const result = await this.attempt(job);
          stop({ outcome: 'completed' });
          return result;
        } catch (error) {
          stop({ outcome: 'failed' });
          span.recordException(error instanceof Error ? error : String(error));
          span.setStatus({
            code: SpanStatusCode.ERROR,
            message: error instanceof Error ? error.message : String(error),
          });
          throw error;
        } finally {
          span.end();
        }
      },
    );
  }

  private async attempt(job: RunnableJob): Promise<unknown> {
    const processor = this.processors.get(job.queue);
    if (!processor) throw new Error(`no processor for queue ${job.queue} in this process`);
    const data = job.envelope.payloadStored ? await this.payloads.payload(job.id) : job.envelope.payload;
    if (data === undefined) throw new Error(`the input of job ${job.id} is gone (removed after its retention)`);
    let progress = 0;
    // The queue's data as its producer typed it (JobMap): JSON from the queue, handed on unread.
    const handle: JobHandle<never> = {
      id: job.id,
      queue: job.queue,
      organizationId: job.envelope.organizationId,
      data: data as never,
      attemptsMade: job.attemptsMade,
      updateProgress: async (percent: number) => {
        progress = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
        await job.saveProgress(progress);
        this.tell(job, JobEventName.Progress, { state: 'active', progress });
      },
    };
    this.tell(job, JobEventName.Progress, { state: 'active', progress });
    const started = Date.now();
    const principal = job.envelope.principal;
    const result = principal
      ? await this.tenant.runAs(principal, () => processor.process(handle))
      : await processor.process(handle);
    this.logger.log({ job: job.id, queue: job.queue, ms: Date.now() - started }, 'job completed');
    return result;
  }

  /** The attempt succeeded and the job is stored as completed. */
  completed(job: AnnouncedJob, result: unknown): void {
    if (job.envelope.payloadStored) {
      this.payloads
        .deletePayload(job.id)
        .catch((error: unknown) => this.logger.warn(`could not delete the input of job ${job.id}: ${String(error)}`));
    }
    // A big result (an add of long texts) stays out of the event: clients read it at /jobs/:id.
    const small = result !== undefined && JSON.stringify(result).length <= MAX_RESULT_IN_EVENT;
    this.tell(job, JobEventName.Completed, { state: 'completed', progress: 100, ...(small ? { result } : {}) });
  }

  /** The attempt failed and the job is stored as delayed (another attempt comes) or failed. */
  failed(job: AnnouncedJob, error: unknown, retrying: boolean, progress: number): void {
    const message = error instanceof Error ? error.message : String(error);
    if (!retrying) this.metrics.jobsFailed.inc({ queue: job.queue });
    // Logged in the job's trace (runners report the outcome after the attempt's span ended).
    context.with(queuedContext(job), () =>
      this.logger.warn(
        { job: job.id, queue: job.queue, err: error },
        retrying ? 'job attempt failed; will retry' : 'job failed',
      ),
    );
    this.tell(job, JobEventName.Failed, { state: retrying ? 'delayed' : 'failed', progress, error: message });
  }

  private tell(job: AnnouncedJob, name: JobEventName, fields: Omit<JobEventPayload, 'jobId' | 'queue'>): void {
    const organizationId = job.envelope.organizationId;
    if (!organizationId) return; // system jobs (maintenance) have no audience
    const payload: JobEventPayload = { jobId: job.id, queue: job.queue, ...fields };
    this.bus.publish([domainEvent(name, organizationId, payload)]);
  }
}
