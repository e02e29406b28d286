import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { MIGRATIONS } from '../../migrations/migrations.js';
import type { EmbeddedConnection } from './embedded-postgres.js';

/**
 * Session settings of every PostgreSQL connection for the HNSW index (pgvector ≥ 0.8; older
 * versions ignore them with a warning). An HNSW scan stops after `ef_search` neighbours, so a
 * search whose scope (a user among many) holds few of them would come back short: iterative
 * scans go on until the LIMIT is met (relaxed order: the statement re-sorts by distance
 * anyway). ef_search 100 by measurement: bench/README.md, memory engine.
 */
const HNSW_SESSION_OPTIONS = '-c hnsw.iterative_scan=relaxed_order -c hnsw.ef_search=100';

/**
 * TypeORM options for either storage mode. Both speak the same PostgreSQL dialect through the
 * ordinary `postgres` driver; the embedded mode reaches PGlite over its one socket.
 */
export function buildDataSourceOptions(config: AppConfig, embedded: EmbeddedConnection | null): DataSourceOptions {
  const common = {
    type: 'postgres' as const,
    migrations: MIGRATIONS,
    migrationsRun: false,
    migrationsTableName: 'migrations',
    synchronize: false,
    logging: false,
  };
  if (embedded) {
    return {
      ...common,
      host: embedded.host,
      port: embedded.port,
      username: 'postgres',
      database: 'postgres',
      poolSize: 1,
      // Exactly one connection to PGlite (DESIGN.md, verified facts); never let it go idle and
      // reconnect, so the one slot is never free for anyone else.
      extra: { max: 1, idleTimeoutMillis: 0 },
    };
  }
  return {
    ...common,
    url: config.DATABASE_URL,
    poolSize: config.DATABASE_POOL_SIZE,
    extra: { max: config.DATABASE_POOL_SIZE, connectionTimeoutMillis: 10000, options: HNSW_SESSION_OPTIONS },
  };
}
