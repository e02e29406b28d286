import type { SqlParams } from '../../database/sql-params.js';
import { toVectorLiteral } from '../normalize.js';

/**
 * The vector leg: the nearest memories by pgvector cosine distance under the same scope and
 * filter, those under `floor` left out. On PostgreSQL the HNSW index answers it, with iterative
 * index scans (set per connection, see data-source-options.ts) so that a selective scope still
 * gets its candidates; on the embedded database it is an exact scan of the scope.
 */
export function vectorLeg(p: SqlParams, where: string, vector: number[], candidates: string, floor: number): string {
  const v = p.add(toVectorLiteral(vector));
  return `SELECT id, score, 'vector' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT m.id, 1 - (m.embedding <=> ${v}::vector) AS score
          FROM memories m
          WHERE m.embedding IS NOT NULL AND ${where}
          ORDER BY m.embedding <=> ${v}::vector LIMIT ${candidates}) v
        WHERE score >= ${p.add(floor)}::float8`;
}
