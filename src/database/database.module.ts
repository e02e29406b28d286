import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { BootResources } from '../config/boot-resources.js';
import { buildDataSourceOptions } from './data-source-options.js';
import { DatabaseMetrics } from './database-metrics.js';
import { DatabaseState } from './database-state.js';
import { TableMaintenance } from './table-maintenance.js';
import { EmbeddedPostgres } from './embedded-postgres.js';
import { prepareDatabase } from './prepare-database.js';

const EMBEDDED = Symbol('EMBEDDED_POSTGRES');

/** Starts the embedded PGlite server when no DATABASE_URL is set, and stops it last. */
class EmbeddedPostgresLifecycle implements OnApplicationShutdown {
  constructor(
    @Inject(EMBEDDED) private readonly embedded: EmbeddedPostgres | null,
    private readonly moduleRef: ModuleRef,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    if (!this.embedded) return;
    // Close the pool before the server under it, whatever order Nest runs the hooks in.
    const dataSource = this.moduleRef.get(DataSource, { strict: false });
    if (dataSource.isInitialized) await dataSource.destroy();
    await this.embedded.stop();
  }
}

@Module({})
class EmbeddedPostgresModule {
  static forRoot(): DynamicModule {
    return {
      module: EmbeddedPostgresModule,
      providers: [
        {
          provide: EMBEDDED,
          inject: [AppConfig, BootResources],
          useFactory: async (config: AppConfig, resources: BootResources) => {
            if (!config.embedded) return null;
            const embedded = await EmbeddedPostgres.start(config.DATA_DIR);
            resources.add(() => embedded.stop());
            return embedded;
          },
        },
        EmbeddedPostgresLifecycle,
      ],
      exports: [EMBEDDED],
    };
  }
}

/**
 * The data source for both storage modes, plus DatabaseState: pgvector availability, known
 * after the extension check and the migrations have run (both before any request is served).
 */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(): DynamicModule {
    const embeddedModule = EmbeddedPostgresModule.forRoot();
    return {
      module: DatabaseModule,
      imports: [
        embeddedModule,
        TypeOrmModule.forRootAsync({
          imports: [embeddedModule],
          inject: [AppConfig, EMBEDDED],
          useFactory: (config: AppConfig, embedded: EmbeddedPostgres | null) => ({
            ...buildDataSourceOptions(config, embedded?.connection ?? null),
            autoLoadEntities: true,
            retryAttempts: config.embedded ? 0 : 3,
          }),
        }),
      ],
      providers: [
        TableMaintenance,
        DatabaseMetrics,
        {
          provide: DatabaseState,
          inject: [DataSource, AppConfig, BootResources],
          useFactory: async (dataSource: DataSource, config: AppConfig, resources: BootResources) => {
            resources.add(async () => {
              if (dataSource.isInitialized) await dataSource.destroy();
            });
            const logger = new Logger('Database');
            const prepared = await prepareDatabase(dataSource, config.VECTOR_EXTENSION);
            if (prepared.applied.length) logger.log(`applied migrations: ${prepared.applied.join(', ')}`);
            if (!prepared.vector) {
              logger.warn(
                `pgvector is NOT available (${prepared.vectorReason}): vector search is off and search uses full text only. ` +
                  'Install pgvector on the PostgreSQL server to enable it.',
              );
            }
            return new DatabaseState(config.embedded ? 'embedded' : 'postgres', prepared.vector, prepared.vectorReason);
          },
        },
      ],
      exports: [DatabaseState],
    };
  }
}
