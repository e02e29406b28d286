import 'reflect-metadata';
import { startTracing } from './observability/tracing.js';
import { exitOnSignals, loadConfigOrExit, runMain } from './process-signals.js';

/**
 * `npm run start:worker`: runs the job processors (import, export, memory-ingest, reembed,
 * maintenance) without serving HTTP. Start as many as the queues need; run the API with
 * JOBS_IN_PROCESS=false to leave the jobs to them. Needs a shared backend: REDIS_URL, or
 * DATABASE_URL for BullMQ's PostgreSQL backend.
 */
runMain('AgentMem worker', async () => {
  const config = loadConfigOrExit();
  if (config.jobsBackend === 'inline') {
    process.stderr.write(
      'The worker needs a shared jobs backend: set REDIS_URL, or DATABASE_URL (BullMQ on PostgreSQL). On the embedded database, `npm start` runs the jobs itself.\n',
    );
    process.exit(1);
  }
  // Tracing before the server's modules are imported (see main.ts).
  const tracing = await startTracing(config, 'worker');
  const [{ Logger }, { createWorker }] = await Promise.all([import('@nestjs/common'), import('./bootstrap.js')]);
  const starting = createWorker(config);
  exitOnSignals(config, 'AgentMem worker', starting, tracing);
  await starting;
  new Logger('AgentMem').log(`worker running (jobs on ${config.jobsBackend})`);
});
