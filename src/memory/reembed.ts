import type { AppConfig } from '../config/app-config.js';
import { withMigratedDatabase } from '../database/migrate.js';
import { EmbeddingService } from '../llm/embedding/embedding.service.js';
import { toVectorLiteral } from './normalize.js';
import {
  createEmbeddingColumn,
  createVectorIndexes,
  saveEmbeddingSetting,
  wantsHnswIndex,
  wantsVectors,
} from './vector-schema.js';

const BATCH = 256;

export interface ReembedResult {
  model: string;
  dimensions: number;
  memories: number;
}

/**
 * Recomputes every memory's embedding with the configured embedder (`npm run reembed`), for a
 * change of embedding model or size; the server refuses to start until this has run. Run it with
 * the server stopped and the new EMBEDDING_* settings. Safe to run again after an interruption:
 * the installation keeps the old model's record until every row has its new vector.
 */
export async function reembed(
  config: AppConfig,
  log: (line: string) => void = () => undefined,
): Promise<ReembedResult> {
  return withMigratedDatabase(config, async (dataSource, prepared) => {
    if (!prepared.vector)
      throw new Error(`pgvector is not available (${prepared.vectorReason}): there are no embeddings to recompute`);
    const embedder = await EmbeddingService.create(config);
    if (!wantsVectors(config, embedder.semantic)) {
      throw new Error(
        `VECTOR_SEARCH=${config.VECTOR_SEARCH} stores no embeddings with the lexical embedder: set VECTOR_SEARCH=on to compute them`,
      );
    }
    const index = wantsHnswIndex(config);
    // A fresh column of the new size; its indexes are built once, after the rows are filled.
    await dataSource.transaction(async (m) => {
      await m.query(`DROP INDEX IF EXISTS memories_embedding_hnsw`);
      await m.query(`ALTER TABLE memories DROP COLUMN IF EXISTS embedding CASCADE`); // with embedding_bits and its indexes
      await createEmbeddingColumn(m, embedder.dimensions);
    });
    let done = 0;
    let cursor = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const rows: { id: string; content: string }[] = await dataSource.query(
        `SELECT id, content FROM memories WHERE id > $1 ORDER BY id LIMIT ${BATCH}`,
        [cursor],
      );
      if (rows.length === 0) break;
      const vectors = await embedder.embed(rows.map((r) => r.content));
      const values = rows.map((_, i) => `($${i * 2 + 1}::uuid, $${i * 2 + 2}::vector)`).join(', ');
      await dataSource.query(
        `UPDATE memories SET embedding = v.embedding FROM (VALUES ${values}) AS v(id, embedding) WHERE memories.id = v.id`,
        rows.flatMap((r, i) => [r.id, toVectorLiteral(vectors[i])]),
      );
      done += rows.length;
      cursor = rows[rows.length - 1].id;
      log(`re-embedded ${done} memories`);
    }
    await dataSource.transaction(async (m) => {
      await createVectorIndexes(m, embedder.dimensions, index);
      await saveEmbeddingSetting(m, { model: embedder.id, dimensions: embedder.dimensions });
    });
    return { model: embedder.id, dimensions: embedder.dimensions, memories: done };
  });
}
