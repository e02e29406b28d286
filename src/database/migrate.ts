import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { prepareDatabase } from './prepare-database.js';
import type { PreparedDatabase } from './prepare-database.js';

/**
 * Opens the configured database outside the server (embedded or DATABASE_URL), brings the
 * schema up to date, runs `work`, and closes everything again: the frame of the CLI commands.
 */
export async function withMigratedDatabase<T>(
  config: AppConfig,
  work: (dataSource: DataSource, prepared: PreparedDatabase) => Promise<T>,
): Promise<T> {
  const embedded = config.embedded ? await EmbeddedPostgres.start(config.DATA_DIR) : null;
  const dataSource = new DataSource(buildDataSourceOptions(config, embedded?.connection ?? null));
  try {
    await dataSource.initialize();
    return await work(dataSource, await prepareDatabase(dataSource, config.VECTOR_EXTENSION));
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}

/**
 * Brings the schema up to date outside the server (`npm run migration:run`): the same extension
 * check and migrations the server runs at start. Safe to run again: it applies nothing new.
 */
export function migrate(config: AppConfig): Promise<PreparedDatabase> {
  return withMigratedDatabase(config, async (_dataSource, prepared) => prepared);
}
