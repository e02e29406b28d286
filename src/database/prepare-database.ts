import type { DataSource } from 'typeorm';
import type { VectorExtensionMode } from '../config/app-config.js';

export interface PreparedDatabase {
  /** Whether the pgvector extension is installed in this database. */
  vector: boolean;
  /** Why not, when it is not. */
  vectorReason?: string;
  /** Names of the migrations this start applied (empty when the schema was current). */
  applied: string[];
}

export class VectorExtensionRequiredError extends Error {
  constructor(reason: string) {
    super(
      `VECTOR_EXTENSION=require but pgvector is not usable here (${reason}). Install pgvector on the ` +
        'PostgreSQL server (a pgvector image, or the postgresql-NN-pgvector package) or set VECTOR_EXTENSION=auto.',
    );
    this.name = 'VectorExtensionRequiredError';
  }
}

/**
 * Makes sure pgvector is there when it can be, then runs pending migrations. A server without
 * the extension still starts in `auto` mode: migrations check `pg_extension` and leave vector
 * columns out, and search falls back to full text (DESIGN.md).
 */
export async function prepareDatabase(dataSource: DataSource, mode: VectorExtensionMode): Promise<PreparedDatabase> {
  let vectorReason: string | undefined;
  if (mode === 'off') {
    vectorReason = 'disabled by VECTOR_EXTENSION=off';
  } else {
    try {
      await dataSource.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (error) {
      vectorReason = (error as Error).message;
      if (mode === 'require') throw new VectorExtensionRequiredError(vectorReason);
    }
  }
  const installed = await dataSource.query<unknown[]>(`SELECT 1 FROM pg_extension WHERE extname = 'vector'`);
  const vector = mode !== 'off' && installed.length > 0;
  const migrations = await dataSource.runMigrations({ transaction: 'each' });
  return {
    vector,
    vectorReason: vector ? undefined : (vectorReason ?? 'extension not installed'),
    applied: migrations.map((m) => m.name),
  };
}
