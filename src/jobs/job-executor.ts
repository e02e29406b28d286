import { Injectable, Logger } from '@nestjs/common';
import { TenantContext } from '../common/context/tenant-context.js';
import { EventBus } from '../common/events/event-bus.js';
import { JobEventName } from './jobs.types.js';
import type { JobEnvelope, JobEventPayload, JobHandle, JobProcessor, JobState, QueueName } from './jobs.types.js';

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
 * Both runners (BullMQ and in-process) go through here, so jobs behave the same in each.
 */
@Injectable()
export class JobExecutor {
  private readonly logger = new Logger('Jobs');
  private readonly processors = new Map<QueueName, JobProcessor>();

  constructor(
    private readonly tenant: TenantContext,
    private readonly bus: EventBus,
  ) {}

  register(queue: QueueName, processor: JobProcessor): void {
    if (this.processors.has(queue)) throw new Error(`queue ${queue} has two processors`);
    this.processors.set(queue, processor);
  }

  has(queue: QueueName): boolean {
    return this.processors.has(queue);
  }

  async execute(job: RunnableJob): Promise<unknown> {
    const processor = this.processors.get(job.queue);
    if (!processor) throw new Error(`no processor for queue ${job.queue} in this process`);
    const org = job.envelope.organizationId;
    const tell = (state: JobState, progress: number, extra: Partial<JobEventPayload> = {}) => {
      if (!org) return; // system jobs (maintenance) have no audience
      const payload: JobEventPayload = { jobId: job.id, queue: job.queue, state, progress, ...extra };
      const name = state === 'completed' ? JobEventName.Completed : state === 'failed' || extra.error ? JobEventName.Failed : JobEventName.Progress;
      this.bus.publish([{ name, organizationId: org, occurredAt: new Date().toISOString(), payload }]);
    };
    let progress = 0;
    const handle: JobHandle = {
      id: job.id,
      queue: job.queue,
      organizationId: org,
      data: job.envelope.payload,
      attemptsMade: job.attemptsMade,
      updateProgress: async (percent: number) => {
        progress = Math.max(0, Math.min(100, Math.round(percent * 10) / 10));
        await job.saveProgress(progress);
        tell('active', progress);
      },
    };
    tell('active', progress);
    const started = Date.now();
    try {
      const principal = job.envelope.principal;
      const result = principal ? await this.tenant.runAs(principal, () => processor.process(handle)) : await processor.process(handle);
      this.logger.log({ job: job.id, queue: job.queue, ms: Date.now() - started }, 'job completed');
      tell('completed', 100, { result });
      return result;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const retrying = job.attemptsMade + 1 < job.maxAttempts;
      this.logger.warn({ job: job.id, queue: job.queue, attempt: job.attemptsMade + 1, err: error }, retrying ? 'job attempt failed; will retry' : 'job failed');
      tell(retrying ? 'delayed' : 'failed', progress, { error: message });
      throw error;
    }
  }
}
