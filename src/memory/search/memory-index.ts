import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../../config/app-config.js';
import { preparedQuery } from '../../database/prepared.js';
import { SqlParams } from '../../database/sql-params.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { VECTOR_SCHEMA } from '../memory.repository.js';
import { liveMemoryWhere, MEMORY_COLUMNS, toMemoryRecord } from '../memory-row.js';
import type { MemoryRow } from '../memory-row.js';
import type { MemoryScope, SearchHit } from '../memory.types.js';
import { toVectorLiteral } from '../normalize.js';
import type { VectorSchemaState } from '../vector-schema.js';
import { fuseRanked } from './fusion.js';
import { ScopeIndex } from './scope-index.js';
import type { IndexedMemory, Ranked } from './scope-index.js';
import type { SearchCriteria } from './search.repository.js';

/** Changes noted for a scope before it is rebuilt instead of read back one by one. */
const MAX_PENDING = 2_000;
/** Queries whose lexemes are remembered (PostgreSQL's stemming is a round trip). */
const MAX_QUERIES = 2_000;
/** Memories read per statement when a scope is read. */
const LOAD_PAGE = 2_000;
/** How long a scope evicted, or found larger than the whole bound, is searched by statement. */
const BY_STATEMENT_MS = 10 * 60_000;
const MAX_BY_STATEMENT = 10_000;

interface Entry {
  key: string;
  organizationId: string;
  scope: Partial<MemoryScope>;
  index: ScopeIndex;
  /** The load, then each read-back of changed memories, in order. */
  ready: Promise<void>;
  /** Memories changed since they were read (ids), read back before the next search. */
  pending: Set<string>;
  /** Read in full (until then, searches of the scope run the statement). */
  loaded: boolean;
  /** When its read began, in the order of reads and looks (MemoryIndex.clock). */
  born: number;
}

interface IndexRow {
  id: string;
  prev_id: string | null;
  expires_at: number | null;
  own: string[];
  context: string[];
  /** pgvector's binary form (vector_send): dimensions (int16), unused (int16), then float4 big-endian. */
  embedding?: Buffer | null;
}

type HitRow = MemoryRow & { vector_exact: number | null };

/**
 * The in-process search index: per search scope (organization and the scope fields a search
 * names) a ScopeIndex of its memories' lexemes, neighbours and vectors. An unfiltered
 * natural-language search is answered from it in microseconds to a few milliseconds (instead of
 * a statement whose cost grew with the scope), then its hits are read by id under the same
 * tenant and scope conditions, so the database has the last word on what is returned.
 *
 * It is a cache of the database, never a second store, and it follows every writer (this
 * process, other replicas, workers, imports, re-embedding) the same way: a trigger stamps each
 * change of a memory with its transaction (`change_xid`, migration MemoryChanges), and before
 * each search the organization's changes since the oldest transaction still running at the
 * previous look are listed (one index range scan, usually empty) and read back into the scopes
 * they touch. A write committed before a search starts is seen by it, on any replica. A scope is
 * read on its first search (after a start, after eviction); bounded by SEARCH_INDEX_MB, least
 * recently searched scope first (docs/ARCHITECTURE.md, "Search index").
 */
@Injectable()
export class MemoryIndex {
  private readonly logger = new Logger('MemoryIndex');
  readonly enabled: boolean;
  private readonly budget: number;
  /** Least recently searched first. */
  private readonly entries = new Map<string, Entry>();
  private readonly byOrganization = new Map<string, Set<Entry>>();
  private readonly lexemeCache = new Map<string, string[]>();
  /** Scopes searched by statement for a while (evicted, or too large), since when. */
  private readonly byStatement = new Map<string, number>();
  /** Per organization with scopes here: the oldest transaction running at its last look (xid8, as text). */
  private readonly horizons = new Map<string, bigint>();
  /** Counts reads and looks begun, so that a look knows which scopes were read after it began. */
  private clock = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    config: AppConfig,
    @Inject(VECTOR_SCHEMA) private readonly vectors: VectorSchemaState,
    private readonly metrics: MetricsService,
  ) {
    this.enabled = config.SEARCH_INDEX_MB > 0;
    this.budget = config.SEARCH_INDEX_MB * 1024 * 1024;
  }

  /** Whether a scope is held (being read or read; tests look). */
  holds(organizationId: string, scope: Partial<MemoryScope>): boolean {
    return this.entries.has(scopeKey(organizationId, scope));
  }

  /** Bytes held by the scopes in the index (an estimate). */
  get bytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.index.bytes;
    return total;
  }

  /** Whether this search is one the index answers: natural language, no caller's filter. */
  serves(c: SearchCriteria): boolean {
    return this.enabled && c.filters === undefined && c.queryStyle === 'natural';
  }

  /** The search, from the index; null when its scope is too large for the bound (then run the statement). */
  async search(organizationId: string, c: SearchCriteria, candidates: number): Promise<SearchHit[] | null> {
    const withText = c.mode !== 'vector';
    const withVector = c.mode !== 'text' && c.vector !== null && this.vectors.enabled;
    if (!withText && !withVector) return [];
    const key = scopeKey(organizationId, c.scope);
    const index = await this.scopeIndex(key, organizationId, c.scope, withVector);
    if (index === null) return null;
    const lexemes = withText ? await this.lexemes(c.query) : [];
    const now = Date.now();
    const legs: { text?: Ranked[]; vector?: Ranked[] } = {};
    const { metrics } = this;
    const { mode } = c;
    if (withText)
      legs.text = metrics.timedSync('search.index.text', metrics.searchDuration, { mode, leg: 'index_text' }, () =>
        index.text(lexemes, candidates, now),
      );
    if (withVector)
      legs.vector = metrics.timedSync(
        'search.index.vector',
        metrics.searchDuration,
        { mode, leg: 'index_vector' },
        () => index.vector(c.vector!, candidates, c.vectorFloor, now),
      );
    // Vector mode re-ranks twice the limit by the exact cosine, read with the rows.
    const best = metrics.timedSync('search.index.fuse', metrics.searchDuration, { mode, leg: 'index_fuse' }, () =>
      fuseRanked(mode, c.weights, legs).slice(0, mode === 'vector' ? c.limit * 2 : c.limit),
    );
    if (best.length === 0) return [];
    const rows = await metrics.timed('search.index.rows', metrics.searchDuration, { mode, leg: 'index_rows' }, () =>
      this.rows(
        organizationId,
        c.scope,
        best.map((b) => b.id),
        withVector ? c.vector : null,
      ),
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    let hits: SearchHit[] = [];
    for (const b of best) {
      const r = byId.get(b.id);
      if (!r) continue;
      const scores: SearchHit['scores'] = {};
      const retrievers: SearchHit['retrievers'] = [];
      if (b.vector !== null) {
        scores.vector = r.vector_exact === null ? b.vector : Number(r.vector_exact);
        retrievers.push('vector');
      }
      if (b.text !== null) {
        scores.text = b.text;
        retrievers.push('text');
      }
      hits.push({
        memory: toMemoryRecord(r),
        score: c.mode === 'vector' ? scores.vector! : b.fused,
        scores,
        retrievers,
      });
    }
    if (c.mode === 'vector') {
      hits = hits
        .filter((h) => h.score >= c.vectorFloor)
        .sort((a, b) => b.score - a.score || (a.memory.id < b.memory.id ? -1 : 1))
        .slice(0, c.limit);
    }
    return hits;
  }

  /**
   * The scope's index, caught up with every change committed so far; null while it is being read
   * (this search runs the statement meanwhile, so a first search costs what it cost before) and
   * for a while after it was evicted or found too large (so that a working set larger than the
   * bound does not read scopes over and over).
   */
  private async scopeIndex(
    key: string,
    organizationId: string,
    scope: Partial<MemoryScope>,
    withVectors: boolean,
  ): Promise<ScopeIndex | null> {
    let e = this.entries.get(key);
    // Built without vectors (text searches so far) and now a vector search: read it again with them.
    if (e && withVectors && !e.index.withVectors) {
      this.drop(e);
      e = undefined;
    }
    if (!e) {
      const since = this.byStatement.get(key);
      if (since !== undefined && since > Date.now() - BY_STATEMENT_MS) return null;
      this.byStatement.delete(key);
      this.start(key, organizationId, scope, withVectors);
      return null;
    }
    if (!e.loaded) return null;
    this.entries.delete(key);
    this.entries.set(key, e);
    try {
      await this.catchUp(organizationId);
      // Dropped by the look (too many changes to read back): read afresh, by statement meanwhile.
      if (this.entries.get(key) !== e) return this.scopeIndex(key, organizationId, scope, withVectors);
      if (e.pending.size > 0) {
        const entry = e;
        e.ready = e.ready.then(() => this.readBack(entry));
      }
      await e.ready;
    } catch (error) {
      this.logger.warn(
        { err: error, scope: key },
        'the search index could not catch up with a scope; it will be read afresh',
      );
      this.drop(e);
      return null;
    }
    // Mostly dead slots (memories changed or deleted since the read): read it afresh.
    if (e.index.garbage > Math.max(1_000, e.index.size)) this.drop(e);
    return e.index;
  }

  /** Reads a scope into the index in the background. */
  private start(key: string, organizationId: string, scope: Partial<MemoryScope>, withVectors: boolean): void {
    const e: Entry = {
      key,
      organizationId,
      scope,
      index: new ScopeIndex(withVectors),
      ready: Promise.resolve(),
      pending: new Set(),
      loaded: false,
      born: ++this.clock,
    };
    this.entries.set(key, e);
    let group = this.byOrganization.get(organizationId);
    if (!group) this.byOrganization.set(organizationId, (group = new Set()));
    group.add(e);
    const started = performance.now();
    e.ready = this.load(e).then(() => {
      e.loaded = true;
      this.logger.debug(
        { scope: key, memories: e.index.size, bytes: e.index.bytes, ms: Math.round(performance.now() - started) },
        'a search scope was read into the index',
      );
      if (e.index.bytes > this.budget) {
        this.logger.warn(
          { scope: key, bytes: e.index.bytes, budget: this.budget },
          'a search scope is larger than SEARCH_INDEX_MB: its searches run as statements',
        );
        this.restByStatement(e);
      }
      this.evict();
    });
    e.ready.catch((error: unknown) => {
      this.logger.warn(
        { err: error, scope: key },
        'a search scope could not be read into the index; its searches run as statements meanwhile',
      );
      this.drop(e);
    });
  }

  /** Reads the scope LOAD_PAGE memories at a time, in id order: one result of a 10k scope's vectors is ~30 MB of hex in both threads. */
  private async load(e: Entry): Promise<void> {
    // The organization's horizon is taken before its first scope is read: what commits after, the next look lists.
    if (!this.horizons.has(e.organizationId)) await this.catchUp(e.organizationId);
    let after = '00000000-0000-0000-0000-000000000000';
    for (;;) {
      const p = new SqlParams();
      const where = liveMemoryWhere(p, e.organizationId, e.scope, false);
      const rows = await preparedQuery<IndexRow[]>(
        this.dataSource,
        `SELECT ${indexColumns(e.index.withVectors)} FROM memories m WHERE ${where} AND m.id > ${p.add(after)}::uuid ORDER BY m.id LIMIT ${LOAD_PAGE}`,
        p.values,
      );
      e.index.reserve(rows.length);
      for (const r of rows) e.index.put(toIndexed(r));
      if (rows.length < LOAD_PAGE) return;
      after = rows[rows.length - 1].id;
    }
  }

  /** Reads back the memories changed since the scope was read: changed, gone, or now outside it. */
  private async readBack(e: Entry): Promise<void> {
    if (e.pending.size === 0) return;
    const ids = [...e.pending];
    e.pending.clear();
    const p = new SqlParams();
    const where = liveMemoryWhere(p, e.organizationId, e.scope, false);
    const rows = await preparedQuery<IndexRow[]>(
      this.dataSource,
      `SELECT ${indexColumns(e.index.withVectors)} FROM memories m WHERE ${where} AND m.id = ANY(${p.add(ids)}::uuid[])`,
      p.values,
    );
    for (const id of ids) e.index.remove(id);
    for (const r of rows) e.index.put(toIndexed(r));
  }

  /**
   * Notes the organization's memories changed since its last look for the scopes that hold them
   * (read back before their next search). The first look only takes the horizon, before any
   * scope of the organization is read. Transactions still running at a look have ids at or
   * above its horizon, so what they commit later is listed by the next look; what committed
   * before is in the look's snapshot. Concurrent looks are harmless: each lists a superset of
   * what an older one saw, and the horizon only moves forward.
   */
  private async catchUp(organizationId: string): Promise<void> {
    const since = this.horizons.get(organizationId);
    if (since === undefined) {
      const rows = await preparedQuery<{ horizon: string }[]>(
        this.dataSource,
        `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon`,
        [],
      );
      this.advance(organizationId, BigInt(rows[0].horizon));
      return;
    }
    const began = ++this.clock;
    const rows = await preparedQuery<
      ({ horizon: string } & Partial<Record<'id' | 'user_id' | 'agent_id' | 'run_id', string | null>>)[]
    >(
      this.dataSource,
      `SELECT pg_snapshot_xmin(pg_current_snapshot())::text AS horizon, c.* FROM (SELECT 1) one LEFT JOIN (
         SELECT m.id, m.user_id, m.agent_id, m.run_id FROM memories m WHERE m.organization_id = $1 AND m.change_xid >= $2::text::xid8 ORDER BY m.change_xid LIMIT ${MAX_PENDING + 1}) c ON true`,
      [organizationId, since.toString()],
    );
    const group = this.byOrganization.get(organizationId);
    // More changes than any scope would read back one by one (a bulk add, an import): the
    // organization's scopes are read afresh instead, and the next look starts from this one.
    // Not the scopes whose read began after this look did: they read what it listed, and
    // dropping them (concurrent first searches after a bulk add each made such a look) left
    // their scopes out of the index until their next search. (The ORDER BY keeps the look on
    // the memories_changes index: with a bare LIMIT, the generic plan scanned the
    // organization's rows instead, 0.4 s at 100k.)
    if (rows.length > MAX_PENDING && group) {
      for (const e of [...group]) if (e.born < began) this.drop(e);
    } else
      for (const r of rows) {
        if (!r.id || !group) continue;
        for (const e of [...group]) {
          if (!inScope(e.scope, { userId: r.user_id ?? null, agentId: r.agent_id ?? null, runId: r.run_id ?? null }))
            continue;
          e.pending.add(r.id);
          if (e.pending.size > MAX_PENDING) this.drop(e);
        }
      }
    this.advance(organizationId, BigInt(rows[0].horizon));
  }

  private advance(organizationId: string, horizon: bigint): void {
    const known = this.horizons.get(organizationId);
    if (known === undefined || horizon > known) this.horizons.set(organizationId, horizon);
  }

  private evict(): void {
    let total = this.bytes;
    for (const e of this.entries.values()) {
      if (total <= this.budget || this.entries.size <= 1) return;
      total -= e.index.bytes;
      this.restByStatement(e);
    }
  }

  private restByStatement(e: Entry): void {
    this.drop(e);
    if (this.byStatement.size >= MAX_BY_STATEMENT) this.byStatement.delete(this.byStatement.keys().next().value!);
    this.byStatement.set(e.key, Date.now());
  }

  /** Whether a scope is being read (tests wait for it). */
  get reading(): boolean {
    for (const e of this.entries.values()) if (!e.loaded) return true;
    return false;
  }

  private drop(e: Entry): void {
    if (this.entries.get(e.key) === e) this.entries.delete(e.key);
    const group = this.byOrganization.get(e.organizationId);
    group?.delete(e);
    if (group?.size === 0) {
      this.byOrganization.delete(e.organizationId);
      this.horizons.delete(e.organizationId);
    }
  }

  /** The distinct lexemes of a query, as PostgreSQL's English configuration stems them. */
  private async lexemes(query: string): Promise<string[]> {
    const known = this.lexemeCache.get(query);
    if (known) return known;
    const rows = await preparedQuery<{ lexemes: string[] }[]>(
      this.dataSource,
      `SELECT tsvector_to_array(to_tsvector('english', $1)) AS lexemes`,
      [query],
    );
    const lexemes = rows[0].lexemes;
    if (this.lexemeCache.size >= MAX_QUERIES) this.lexemeCache.delete(this.lexemeCache.keys().next().value!);
    this.lexemeCache.set(query, lexemes);
    return lexemes;
  }

  /** The hits' rows, under the tenant's and the scope's conditions and unexpired; with the exact cosine when there is a query vector. */
  private rows(
    organizationId: string,
    scope: Partial<MemoryScope>,
    ids: string[],
    vector: number[] | null,
  ): Promise<HitRow[]> {
    const p = new SqlParams();
    const where = liveMemoryWhere(p, organizationId, scope, true);
    const exact = vector ? `1 - (m.embedding <=> ${p.add(toVectorLiteral(vector))}::vector)` : 'NULL::float8';
    return preparedQuery<HitRow[]>(
      this.dataSource,
      `SELECT ${MEMORY_COLUMNS}, ${exact} AS vector_exact FROM memories m WHERE ${where} AND m.id = ANY(${p.add(ids)}::uuid[])`,
      p.values,
    );
  }
}

function indexColumns(withVectors: boolean): string {
  return `m.id, m.prev_id, (extract(epoch FROM m.expires_at) * 1000)::float8 AS expires_at,
    tsvector_to_array(ts_filter(m.tsv, '{a}')) AS own, tsvector_to_array(ts_filter(m.tsv, '{b}')) AS context${withVectors ? ', vector_send(m.embedding) AS embedding' : ''}`;
}

function toIndexed(r: IndexRow): IndexedMemory {
  return {
    id: r.id,
    prevId: r.prev_id,
    expiresAt: r.expires_at === null ? null : Number(r.expires_at),
    own: r.own,
    context: r.context,
    vector: r.embedding ? vectorOf(r.embedding) : null,
  };
}

/**
 * A vector from pgvector's binary form: read as bytes, it spares PGlite printing 384 floats as
 * text, and this thread parsing them, for each memory of a scope being read.
 */
function vectorOf(bytes: Buffer): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const vector = new Float32Array(view.getInt16(0));
  for (let i = 0; i < vector.length; i++) vector[i] = view.getFloat32(4 + i * 4);
  return vector;
}

function scopeKey(organizationId: string, scope: Partial<MemoryScope>): string {
  return JSON.stringify([organizationId, scope.userId ?? null, scope.agentId ?? null, scope.runId ?? null]);
}

/** Whether a memory of these scope fields belongs to the search scope (fields the search leaves out match anything). */
function inScope(
  scope: Partial<MemoryScope>,
  memory: { userId: string | null; agentId: string | null; runId: string | null },
): boolean {
  return (
    (scope.userId == null || scope.userId === memory.userId) &&
    (scope.agentId == null || scope.agentId === memory.agentId) &&
    (scope.runId == null || scope.runId === memory.runId)
  );
}
