import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { JobExecutor } from './job-executor.js';
import { QUEUE_NAMES, QueueName } from './jobs.types.js';
import type { AnyJobProcessor } from './jobs.types.js';
import { JOB_QUEUE } from './processes-queue.decorator.js';
import { COUNTED_STATES, JobRunner } from './runners/job-runner.js';

export const RUN_WORKERS = Symbol('RUN_WORKERS');

/**
 * At start: finds every @ProcessesQueue provider, refuses to start a worker with a queue that
 * has no processor (a job of it would wait forever), starts the workers and the maintenance
 * schedule; reports the queues' counts to every metrics scrape (the API too: it sees the
 * shared queues even when workers run them). At stop: lets running jobs finish before the
 * database closes.
 */
@Injectable()
export class JobsLifecycle implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('Jobs');
  private stopCounting?: () => void;

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly executor: JobExecutor,
    @Inject(JobRunner) private readonly runner: JobRunner,
    @Inject(RUN_WORKERS) private readonly runWorkers: boolean,
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.stopCounting = this.metrics.onCollect(async () => {
      const counts = await this.runner.counts();
      for (const [queue, states] of Object.entries(counts)) {
        for (const state of COUNTED_STATES) this.metrics.queueJobs.set({ queue, state }, states[state]);
      }
    });
    for (const wrapper of this.discovery.getProviders()) {
      const queue = wrapper.metatype
        ? (Reflect.getMetadata(JOB_QUEUE, wrapper.metatype) as QueueName | undefined)
        : undefined;
      if (queue && wrapper.instance) this.executor.register(queue, wrapper.instance as AnyJobProcessor);
    }
    if (!this.runWorkers) {
      this.logger.log(`jobs: ${this.runner.kind}; processed by separate workers (JOBS_IN_PROCESS=false)`);
      return;
    }
    const missing = QUEUE_NAMES.filter((q) => !this.executor.has(q));
    if (missing.length) throw new Error(`no processor for queue(s) ${missing.join(', ')}: refusing to start workers`);
    await this.runner.startWorkers();
    await this.runner.repeat(QueueName.Maintenance, 'maintenance', this.config.MAINTENANCE_INTERVAL_MINUTES * 60_000, {
      organizationId: null,
      principal: null,
      payload: {},
    });
    this.logger.log(
      `jobs: ${this.runner.kind}; workers for ${QUEUE_NAMES.join(', ')} in this process (concurrency ${this.config.JOBS_CONCURRENCY})`,
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopCounting?.();
    await this.runner.close(Math.max(1000, Math.floor(this.config.SHUTDOWN_TIMEOUT_MS / 2)));
  }
}
