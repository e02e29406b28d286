import { ConfigValidationError, loadConfig } from './config/app-config.js';
import type { AppConfig } from './config/app-config.js';

/** The validated settings, or exit 1 with a message naming what is wrong (both entry points). */
export function loadConfigOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

/**
 * Graceful stop on SIGTERM/SIGINT: once `started` has given the application, `close` it (refuse
 * new work, finish what runs, close the database), then exit 0; a stop that takes longer than
 * SHUTDOWN_TIMEOUT_MS exits 1 anyway. Installed before the application starts: its job
 * processors run from its init on, so a signal may come before the start has returned, and it
 * must still be a graceful stop, not the default kill — so the entry points call this before
 * their first await (tracing's start and the server's import take a second or two).
 * `tracing` (when started) exports its last spans once the application is closed.
 */
export function exitOnSignals(
  config: AppConfig,
  what: string,
  started: Promise<{ close(): Promise<void> }>,
  tracing: Promise<{ shutdown(): Promise<void> } | null> = Promise.resolve(null),
): void {
  let stopping = false;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS).unref();
      started
        .then((app) => app.close())
        // A collector that is down must not make the stop fail: its spans are lost, that is all.
        .then(() => tracing)
        .then((started) => started?.shutdown().catch(() => undefined))
        .then(
          () => process.exit(0),
          (error: unknown) => {
            process.stderr.write(`${what} failed to stop cleanly: ${String(error)}\n`);
            process.exit(1);
          },
        );
    });
  }
}

/** Runs an entry point's main(), reporting a failed start on stderr with exit code 1. */
export function runMain(what: string, main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    process.stderr.write(
      `${what} failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  });
}
