import type { SqlParams } from '../../database/sql-params.js';
import { toVectorLiteral } from '../normalize.js';

/**
 * The vector leg: the nearest memories by pgvector cosine distance under the same scope and
 * filter, those under `floor` left out. On PostgreSQL the HNSW index answers it, with iterative
 * index scans (set per connection, see data-source-options.ts) so that a selective scope still
 * gets its candidates; on the embedded database it is an exact search of the scope, prefiltered
 * by the binary quantization of the vectors (vector-schema.ts).
 */
export function vectorLeg(
  p: SqlParams,
  where: string,
  vector: number[],
  candidates: number,
  floor: number,
  quantized?: { dimensions: number },
): string {
  const v = p.add(toVectorLiteral(vector));
  const limit = p.add(candidates);
  // Exact scan, with a quantized prefilter when there is one: the PREFILTER × candidates nearest
  // by Hamming distance of the sign bits (an index-only scan), re-ranked by exact cosine distance.
  const among = quantized
    ? `m.id IN (SELECT m.id FROM memories m WHERE m.embedding_bits IS NOT NULL AND ${where}
                ORDER BY m.embedding_bits <~> binary_quantize(${v}::vector)::bit(${Math.trunc(quantized.dimensions)}) LIMIT ${p.add(candidates * PREFILTER)})`
    : `m.embedding IS NOT NULL AND ${where}`;
  return `SELECT id, score, 'vector' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT m.id, 1 - (m.embedding <=> ${v}::vector) AS score
          FROM memories m
          WHERE ${among}
          ORDER BY m.embedding <=> ${v}::vector LIMIT ${limit}) v
        WHERE score >= ${p.add(floor)}::float8`;
}

/** How many times `candidates` the quantized prefilter keeps for the exact re-rank (measured: bench/README.md). */
export const PREFILTER = 4;
