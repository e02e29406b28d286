import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import type { SearchMode } from '../../config/app-config.js';
import { preparedQuery } from '../../database/prepared.js';
import { SqlParams } from '../../database/sql-params.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { VECTOR_SCHEMA } from '../memory.repository.js';
import { liveMemoryWhere, MEMORY_COLUMNS, NOT_EXPIRED, toMemoryRecord } from '../memory-row.js';
import type { MemoryRow } from '../memory-row.js';
import type { MemoryScope, SearchHit } from '../memory.types.js';
import type { VectorSchemaState } from '../vector-schema.js';
import { compileFilter } from './filter-compiler.js';
import { fusedScoreSql } from './fusion.js';
import { MemoryIndex } from './memory-index.js';
import { TermStatistics } from './term-statistics.js';
import { textLeg } from './text-leg.js';
import { vectorLeg } from './vector-leg.js';

export interface SearchCriteria {
  query: string;
  /** 'natural': any of the words (questions, sentences); 'websearch': AND, quotes, -negation as typed. */
  queryStyle: 'natural' | 'websearch';
  vector: number[] | null;
  scope: Partial<MemoryScope>;
  filters?: unknown;
  mode: SearchMode;
  limit: number;
  weights: { text: number; vector: number };
  /** Least cosine similarity for the vector leg to count a memory as found. */
  vectorFloor: number;
}

type HitRow = MemoryRow & {
  fused: number;
  text_score: number | null;
  vector_score: number | null;
  counted: { n?: number | null; df?: Record<string, number> } | null;
};

/**
 * A search: from the in-process index when it serves it (memory-index.ts: unfiltered natural
 * language), else one statement where each active leg (text-leg.ts, vector-leg.ts) takes its best
 * candidates under the caller's organization, the scope and the filter; fusion.ts orders the
 * union; the rows come back in the same round trip, with the statistics the text leg counted.
 */
@Injectable()
export class SearchRepository {
  private readonly statistics = new TermStatistics();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
    @Inject(VECTOR_SCHEMA) private readonly vectors: VectorSchemaState,
    private readonly index: MemoryIndex,
    private readonly metrics: MetricsService,
  ) {}

  async search(c: SearchCriteria): Promise<SearchHit[]> {
    const candidateCount = Math.min(Math.max(c.limit * 5, 50), 200);
    if (this.index.serves(c)) {
      const hits = await this.index.search(this.tenant.organizationId, c, candidateCount);
      if (hits !== null) return hits;
    }
    const p = new SqlParams();
    // The statistics' scope leaves out the expiry test (not worth a heap visit per row).
    let scope = liveMemoryWhere(p, this.tenant.organizationId, c.scope, false);
    if (c.filters !== undefined) scope += ` AND ${compileFilter(c.filters, p)}`;
    const where = `${scope} AND ${NOT_EXPIRED}`;
    const scopeKey = `${scope}|${JSON.stringify(p.values)}`;
    const ctes: string[] = [];
    const legs: string[] = [];
    let counted = 'NULL::jsonb';
    if (c.mode !== 'vector') {
      const text = textLeg(
        p,
        { where, scope },
        c.query,
        c.queryStyle,
        this.statistics.known(scopeKey, c.query),
        `${p.add(candidateCount)}::int`,
      );
      ctes.push(...text.ctes);
      legs.push(text.leg);
      if (text.counted) counted = text.counted;
    }
    const withVector = c.mode !== 'text' && c.vector !== null && this.vectors.enabled;
    if (withVector) legs.push(vectorLeg(p, where, c.vector!, candidateCount, c.vectorFloor, this.vectors.quantized));
    if (legs.length === 0) return [];
    const fused = fusedScoreSql(p, c.mode, c.weights, { text: c.mode !== 'vector', vector: withVector });
    const sql = `WITH ${[...ctes, `ranked AS (${legs.join(' UNION ALL ')})`].join(',\n')},
       fused AS (
         SELECT id, ${fused} AS fused,
                max(score) FILTER (WHERE leg = 'text') AS text_score,
                max(score) FILTER (WHERE leg = 'vector') AS vector_score
         FROM ranked GROUP BY id),
       hits AS (
         SELECT ${MEMORY_COLUMNS}, f.fused, f.text_score, f.vector_score
         FROM fused f JOIN memories m ON m.id = f.id
         ORDER BY f.fused DESC, m.id LIMIT ${p.add(c.limit)})
       SELECT hits.*, ${counted} AS counted FROM (SELECT 1) one LEFT JOIN hits ON true`;
    // A prepared statement of the connection (parsed once; planned once on the embedded
    // database, see embedded-postgres-thread.mjs), unless a filter gives the text a shape of the
    // caller's making: those run unnamed, so that no client can fill the connection's statements.
    const rows: HitRow[] = await this.metrics.timed(
      'search.statement',
      this.metrics.searchDuration,
      { mode: c.mode, leg: 'statement' },
      () =>
        c.filters === undefined
          ? preparedQuery<HitRow[]>(this.dataSource, sql, p.values)
          : this.dataSource.query(sql, p.values),
    );
    this.statistics.learn(scopeKey, rows[0]?.counted);
    return rows
      .filter((r) => r.id !== null)
      .map((r) => {
        const scores: SearchHit['scores'] = {};
        const retrievers: SearchHit['retrievers'] = [];
        if (r.vector_score !== null) {
          scores.vector = Number(r.vector_score);
          retrievers.push('vector');
        }
        if (r.text_score !== null) {
          scores.text = Number(r.text_score);
          retrievers.push('text');
        }
        return { memory: toMemoryRecord(r), score: Number(r.fused), scores, retrievers };
      });
  }

  /** Adds retrievals to memories' access counters, across organizations (AccessCounts flushes them). */
  async addAccesses(counts: { organizationId: string; id: string; n: number; at: Date }[]): Promise<void> {
    if (counts.length === 0) return;
    const p = new SqlParams();
    const values = counts
      .map(
        (c) =>
          `(${p.add(c.organizationId)}::uuid, ${p.add(c.id)}::uuid, ${p.add(c.n)}::int, ${p.add(c.at)}::timestamptz)`,
      )
      .join(', ');
    await this.dataSource.query(
      `UPDATE memories m SET access_count = m.access_count + v.n, last_accessed_at = greatest(m.last_accessed_at, v.at)
       FROM (VALUES ${values}) AS v(organization_id, id, n, at) WHERE m.organization_id = v.organization_id AND m.id = v.id`,
      p.values,
    );
  }
}
