import 'reflect-metadata';
import { startTracing } from './observability/tracing.js';
import { exitOnSignals, loadConfigOrExit, runMain } from './process-signals.js';

runMain('AgentMem', async () => {
  const config = loadConfigOrExit();
  // Tracing first: its instrumentations patch HTTP, Express, pg and ioredis as they are
  // imported, so the rest of the server is imported only now (docs/ARCHITECTURE.md, Traces).
  const tracing = startTracing(config, 'api');
  const modules = tracing.then(() => Promise.all([import('@nestjs/common'), import('./bootstrap.js')]));
  const starting = modules.then(([, { createApp }]) => createApp(config));
  // Graceful stop: refuse new connections, finish requests and running jobs, close the pool
  // and the embedded database, export the last spans. A stuck connection must not keep a
  // stopping server alive forever. Installed before the first await: a signal during the start
  // is a graceful stop too.
  exitOnSignals(config, 'AgentMem', starting, tracing);
  const app = await starting; // awaited first: a failed start rejects here, handled by runMain
  const [{ Logger }] = await modules;
  await app.listen(config.PORT, config.HOST);
  const storage = config.embedded ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)';
  new Logger('AgentMem').log(
    `listening on http://${config.HOST}:${config.PORT} (docs at /${config.DOCS_PATH}${config.CONSOLE_ENABLED ? ', console at /console' : ''}); storage: ${storage}; jobs: ${config.jobsBackend}`,
  );
});
