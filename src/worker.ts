import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createWorker } from './bootstrap.js';
import { ConfigValidationError, loadConfig } from './config/app-config.js';
import type { AppConfig } from './config/app-config.js';

/**
 * `npm run start:worker`: runs the job processors (import, export, memory-ingest, reembed,
 * maintenance) without serving HTTP. Start as many as the queues need; run the API with
 * JOBS_IN_PROCESS=false to leave the jobs to them. Needs a shared backend: REDIS_URL, or
 * DATABASE_URL for BullMQ's PostgreSQL backend.
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  if (config.jobsBackend === 'inline') {
    process.stderr.write('The worker needs a shared jobs backend: set REDIS_URL, or DATABASE_URL (BullMQ on PostgreSQL). On the embedded database, `npm start` runs the jobs itself.\n');
    process.exit(1);
  }
  const context = await createWorker(config);
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
      context.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`AgentMem worker failed to stop cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
  new Logger('AgentMem').log(`worker running (jobs on ${config.jobsBackend})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`AgentMem worker failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
