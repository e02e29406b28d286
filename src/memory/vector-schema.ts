import type { DataSource, EntityManager } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';

/** Whether the embedding column gets an HNSW index (VECTOR_INDEX; auto = on PostgreSQL only). */
export function wantsHnswIndex(config: AppConfig): boolean {
  return config.VECTOR_INDEX === 'hnsw' || (config.VECTOR_INDEX === 'auto' && !config.embedded);
}

export interface EmbeddingSetting {
  model: string;
  dimensions: number;
}

export interface VectorSchemaState {
  /** Whether memories carry embeddings (pgvector available, VECTOR_SEARCH wants them, the column in place). */
  enabled: boolean;
  indexed: boolean;
  /**
   * Without HNSW: each embedding's binary quantization (embedding_bits) is stored too, in
   * indexes by scope for index-only scans: a search ranks the scope by Hamming distance first
   * and re-ranks the best few hundred exactly (vector-leg.ts).
   */
  quantized?: { dimensions: number };
  /** Why not, when not enabled. */
  reason?: string;
}

/** Whether embeddings are computed and stored (VECTOR_SEARCH; auto = with a semantic embedder only). */
export function wantsVectors(config: AppConfig, semanticEmbedder: boolean): boolean {
  return config.VECTOR_SEARCH === 'on' || (config.VECTOR_SEARCH === 'auto' && semanticEmbedder);
}

export class EmbeddingMismatchError extends Error {
  constructor(stored: EmbeddingSetting, configured: EmbeddingSetting) {
    super(
      `The database holds ${stored.dimensions}-dimensional embeddings of ${stored.model}, but the configured embedder is ` +
        `${configured.model} with ${configured.dimensions} dimensions. Run \`npm run reembed\` (same settings) to recompute ` +
        'every embedding with the new model, or restore the previous EMBEDDING_* settings.',
    );
    this.name = 'EmbeddingMismatchError';
  }
}

const SETTING_KEY = 'embedding';
// An arbitrary constant: serializes schema changes of concurrent starts (advisory lock id).
const LOCK_ID = 742_001;

/** A column of `memories`' type modifier (a vector's or a bit string's size), or null when there is no such column. */
async function columnSize(m: EntityManager, column: 'embedding' | 'embedding_bits'): Promise<number | null> {
  const rows: { size: number }[] = await m.query(
    `SELECT atttypmod AS size FROM pg_attribute WHERE attrelid = 'memories'::regclass AND attname = $1 AND NOT attisdropped`,
    [column],
  );
  return rows.length ? Number(rows[0].size) : null;
}

export async function storedEmbeddingSetting(m: EntityManager): Promise<EmbeddingSetting | null> {
  const rows: { value: EmbeddingSetting }[] = await m.query(`SELECT value FROM installation_settings WHERE key = $1`, [
    SETTING_KEY,
  ]);
  return rows[0]?.value ?? null;
}

export async function saveEmbeddingSetting(m: EntityManager, setting: EmbeddingSetting): Promise<void> {
  await m.query(
    `INSERT INTO installation_settings (key, value, updated_at) VALUES ($1, $2::jsonb, now())
     ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
    [SETTING_KEY, JSON.stringify(setting)],
  );
}

export async function createEmbeddingColumn(m: EntityManager, dimensions: number): Promise<void> {
  await m.query(`ALTER TABLE memories ADD COLUMN embedding vector(${Math.trunc(dimensions)})`);
}

/** What searches the embedding column: an HNSW index, or the quantized prefilter (built once the rows are there, by reembed). */
export async function createVectorIndexes(m: EntityManager, dimensions: number, hnsw: boolean): Promise<void> {
  if (hnsw) await m.query(`CREATE INDEX memories_embedding_hnsw ON memories USING hnsw (embedding vector_cosine_ops)`);
  else await createQuantizedColumn(m, dimensions);
}

/** The scope columns a search filters on; each gets a covering index of the quantized vectors. */
const QUANTIZED_SCOPES = ['user_id', 'agent_id', 'run_id'] as const;

/**
 * embedding_bits: the sign bits of the embedding (pgvector's binary_quantize), generated from
 * it, and for each scope column an index (organization, scope) holding the id, the bits and the
 * expiry, so that the prefilter of an exact search reads only the index (once autovacuum has
 * marked the pages all-visible): 10k memories of a user in ~6 ms instead of ~65 ms of heap visits.
 */
async function createQuantizedColumn(m: EntityManager, dimensions: number): Promise<void> {
  const d = Math.trunc(dimensions);
  await m.query(
    `ALTER TABLE memories ADD COLUMN IF NOT EXISTS embedding_bits bit(${d}) GENERATED ALWAYS AS (binary_quantize(embedding)::bit(${d})) STORED`,
  );
  for (const column of QUANTIZED_SCOPES) {
    await m.query(
      `CREATE INDEX IF NOT EXISTS memories_bits_${column} ON memories (organization_id, ${column}) INCLUDE (id, embedding_bits, expires_at)
       WHERE deleted_at IS NULL AND embedding_bits IS NOT NULL`,
    );
  }
}

/**
 * Puts the embedding column in place for the configured embedder, once per installation: its
 * dimension is the embedder's, so it is added here rather than by a migration. A start with
 * another model or size than the stored one fails with a message that says to re-embed.
 */
export async function ensureVectorSchema(
  dataSource: DataSource,
  vectorAvailable: boolean,
  configured: EmbeddingSetting,
  index: boolean,
): Promise<VectorSchemaState> {
  if (!vectorAvailable)
    return { enabled: false, indexed: false, reason: 'pgvector is not available (see /health/ready)' };
  return dataSource.transaction(async (m) => {
    await m.query(`SELECT pg_advisory_xact_lock(${LOCK_ID})`);
    const dims = await columnSize(m, 'embedding');
    const stored = await storedEmbeddingSetting(m);
    if (dims === null) {
      await createEmbeddingColumn(m, configured.dimensions);
      await createVectorIndexes(m, configured.dimensions, index);
      await saveEmbeddingSetting(m, configured);
      return { enabled: true, indexed: index, ...(index ? {} : { quantized: { dimensions: configured.dimensions } }) };
    }
    if (
      stored &&
      (stored.model !== configured.model ||
        stored.dimensions !== configured.dimensions ||
        dims !== configured.dimensions)
    ) {
      throw new EmbeddingMismatchError({ model: stored.model, dimensions: dims }, configured);
    }
    if (!stored) await saveEmbeddingSetting(m, configured);
    const indexed: { n: number }[] = await m.query(
      `SELECT count(*)::int AS n FROM pg_indexes WHERE tablename = 'memories' AND indexname = 'memories_embedding_hnsw'`,
    );
    if (indexed[0].n > 0) return { enabled: true, indexed: true };
    // An installation from before the quantized prefilter gets it now (one rewrite of the table).
    if ((await columnSize(m, 'embedding_bits')) === null) await createQuantizedColumn(m, dims);
    return { enabled: true, indexed: false, quantized: { dimensions: dims } };
  });
}
