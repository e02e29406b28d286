import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { createApp } from './bootstrap.js';
import { ConfigValidationError, loadConfig } from './config/app-config.js';
import type { AppConfig } from './config/app-config.js';

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
  const app = await createApp(config);
  // Graceful stop: refuse new connections, finish requests, close the pool and the embedded
  // database, then exit 0. A stuck connection must not keep a stopping server alive forever.
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
      app.close().then(
        () => process.exit(0),
        (error: unknown) => {
          process.stderr.write(`AgentMem failed to stop cleanly: ${String(error)}\n`);
          process.exit(1);
        },
      );
    });
  }
  await app.listen(config.PORT, config.HOST);
  const storage = config.embedded ? `embedded PGlite in ${config.DATA_DIR}` : 'PostgreSQL (DATABASE_URL)';
  new Logger('AgentMem').log(`listening on http://${config.HOST}:${config.PORT} (docs at /${config.DOCS_PATH}); storage: ${storage}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`AgentMem failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
