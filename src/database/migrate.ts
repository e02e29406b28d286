import { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { prepareDatabase } from './prepare-database.js';
import type { PreparedDatabase } from './prepare-database.js';

/**
 * Brings the schema up to date outside the server (`npm run migration:run`): the same extension
 * check and migrations the server runs at start. Safe to run again: it applies nothing new.
 */
export async function migrate(config: AppConfig): Promise<PreparedDatabase> {
  const embedded = config.embedded ? await EmbeddedPostgres.start(config.DATA_DIR) : null;
  const dataSource = new DataSource(buildDataSourceOptions(config, embedded?.connection ?? null));
  try {
    await dataSource.initialize();
    return await prepareDatabase(dataSource, config.VECTOR_EXTENSION);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await embedded?.stop();
  }
}
