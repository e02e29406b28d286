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
  const tracing = startTracing(config, 'worker');
  const modules = tracing.then(() => Promise.all([import('@nestjs/common'), import('./bootstrap.js')]));
  const starting = modules.then(([, { createWorker }]) => createWorker(config));
  // Before the first await, as in main.ts.
  exitOnSignals(config, 'AgentMem worker', starting, tracing);
  await starting; // awaited first: a failed start rejects here, handled by runMain
  const [{ Logger }] = await modules;
  new Logger('AgentMem').log(`worker running (jobs on ${config.jobsBackend})`);
});
