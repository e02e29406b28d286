import 'reflect-metadata';
import { ConfigValidationError, loadConfig } from '../config/app-config.js';
import { migrate } from './migrate.js';

try {
  const result = await migrate(loadConfig());
  const applied = result.applied.length ? result.applied.join(', ') : 'none (schema is current)';
  process.stdout.write(
    `migrations applied: ${applied}; pgvector: ${result.vector ? 'available' : `unavailable (${result.vectorReason})`}\n`,
  );
} catch (error) {
  process.stderr.write(
    `${error instanceof ConfigValidationError ? error.message : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
