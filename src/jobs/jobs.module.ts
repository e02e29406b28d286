import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { BootResources } from '../config/boot-resources.js';
import { JobExecutor } from './job-executor.js';
import { JobDataRepository } from './job-data.repository.js';
import { JobsController } from './jobs.controller.js';
import { JobsLifecycle, RUN_WORKERS } from './jobs.lifecycle.js';
import { JobsService } from './jobs.service.js';
import { BullmqJobRunner } from './runners/bullmq-job-runner.js';
import { InlineJobRunner } from './runners/inline-job-runner.js';
import { JobRunner } from './runners/job-runner.js';

/**
 * Queues, the runner that executes them (BullMQ on Redis or PostgreSQL, or in-process), the job
 * status API. Global so feature modules can queue work and mark their processors without
 * importing it (it imports none of them: no cycle).
 */
@Global()
@Module({})
export class JobsModule {
  /** `workers`: run the processors in this process (the worker entry point, or JOBS_IN_PROCESS). */
  static forRoot(options: { workers: boolean }): DynamicModule {
    return {
      module: JobsModule,
      imports: [DiscoveryModule],
      controllers: [JobsController],
      providers: [
        JobExecutor,
        JobDataRepository,
        JobsService,
        JobsLifecycle,
        { provide: RUN_WORKERS, useValue: options.workers },
        {
          provide: JobRunner,
          inject: [AppConfig, JobExecutor, getDataSourceToken(), BootResources],
          useFactory: (
            config: AppConfig,
            executor: JobExecutor,
            dataSource: DataSource,
            resources: BootResources,
          ): JobRunner => {
            if (config.jobsBackend === 'inline') return new InlineJobRunner(dataSource, config, executor);
            // BullMQ's queues connect at once: a start that fails later must close them.
            const runner = new BullmqJobRunner(config, executor);
            resources.add(() => runner.close(0));
            return runner;
          },
        },
      ],
      exports: [JobsService, JobRunner],
    };
  }
}
