import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { exitOnSignals, loadConfigOrExit, runMain } from './process-signals.js';

runMain('AgentMem', async () => {
  const config = loadConfigOrExit();
  const starting = createApp(config);
  // Graceful stop: refuse new connections, finish requests and running jobs, close the pool
  // and the embedded database. A stuck connection must not keep a stopping server alive forever.
  exitOnSignals(config, 'AgentMem', starting);
  const app = await starting;
  await app.listen(config.PORT, config.HOST);
  const storage = config.embedded ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)';
  new Logger('AgentMem').log(
    `listening on http://${config.HOST}:${config.PORT} (docs at /${config.DOCS_PATH}); storage: ${storage}; jobs: ${config.jobsBackend}`,
  );
});
