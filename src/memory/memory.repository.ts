import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { returnedRows } from '../database/returned-rows.js';
import { compileFilter } from '../search/filter-compiler.js';
import { SqlParams } from '../search/sql-params.js';
import type { HistoryEvent, HistoryRecord, ImportRow, MemoryRecord, MemoryScope, MemoryType, NewMemory, SearchHit } from './memory.types.js';
import { toVectorLiteral } from './normalize.js';
import type { VectorSchemaState } from './vector-schema.js';

export const VECTOR_SCHEMA = Symbol('VECTOR_SCHEMA');

const COLUMNS = `m.id, m.organization_id, m.user_id, m.agent_id, m.run_id, m.content, m.type, m.metadata, m.importance, m.hash,
  m.access_count, m.last_accessed_at, m.expires_at, m.created_at, m.updated_at`;

/** Rank weights of the tsvector's labels D, C, B, A: context (B) counts half as much as the text (A). */
const TEXT_WEIGHTS = `'{0.1, 0.2, 0.5, 1.0}'`;
/** Weight of a word found only in a memory's neighbouring turns, relative to its own text. */
const CONTEXT_WEIGHT = 0.5;
/** Reciprocal rank fusion constant (the usual 60). */
const RRF_K = 60;

interface MemoryRow {
  id: string;
  organization_id: string;
  user_id: string | null;
  agent_id: string | null;
  run_id: string | null;
  content: string;
  type: MemoryType;
  metadata: Record<string, unknown>;
  importance: number;
  hash: string;
  access_count: number;
  last_accessed_at: Date | null;
  expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}


function toRecord(r: MemoryRow): MemoryRecord {
  return {
    id: r.id,
    organizationId: r.organization_id,
    userId: r.user_id,
    agentId: r.agent_id,
    runId: r.run_id,
    content: r.content,
    type: r.type,
    metadata: r.metadata,
    importance: Number(r.importance),
    hash: r.hash,
    accessCount: r.access_count,
    lastAccessedAt: r.last_accessed_at,
    expiresAt: r.expires_at,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** What an update may change. */
export interface MemoryChanges {
  content?: string;
  hash?: string;
  embedding?: number[] | null;
  metadata?: Record<string, unknown>;
  type?: MemoryType;
  importance?: number;
  expiresAt?: Date | null;
}

export interface ListCriteria extends Partial<MemoryScope> {
  type?: MemoryType;
  createdAfter?: Date;
  createdBefore?: Date;
}

export interface SearchCriteria {
  query: string;
  /** 'natural': any of the words (questions, sentences); 'websearch': AND, quotes, -negation as typed. */
  queryStyle: 'natural' | 'websearch';
  vector: number[] | null;
  scope: Partial<MemoryScope>;
  filters?: unknown;
  mode: 'hybrid' | 'vector' | 'text';
  limit: number;
  weights: { text: number; vector: number };
  /** Least cosine similarity for the vector leg to count a memory as found. */
  vectorFloor: number;
}

/**
 * Every query of the memories and memory_history tables. Written as SQL (the embedding column's
 * size belongs to the installation, the tsvector is generated, search fuses two retrievers);
 * every statement filters on the caller's organization, and reads see only live memories
 * (not deleted, not expired).
 */
@Injectable()
export class MemoryRepository {
  private readonly scopeSizes = new Map<string, { n: number; at: number }>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
    @Inject(VECTOR_SCHEMA) private readonly vectors: VectorSchemaState,
  ) {}

  get vectorsEnabled(): boolean {
    return this.vectors.enabled;
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** `organization = caller AND live [AND scope fields]`, appended to `params`. */
  private liveWhere(p: SqlParams, scope: Partial<MemoryScope> = {}): string {
    const parts = [`m.organization_id = ${p.add(this.tenant.organizationId)}`, `m.deleted_at IS NULL`, `(m.expires_at IS NULL OR m.expires_at > now())`];
    if (scope.userId != null) parts.push(`m.user_id = ${p.add(scope.userId)}`);
    if (scope.agentId != null) parts.push(`m.agent_id = ${p.add(scope.agentId)}`);
    if (scope.runId != null) parts.push(`m.run_id = ${p.add(scope.runId)}`);
    return parts.join(' AND ');
  }

  /**
   * Inserts the memory unless a live one with the same normalized text exists in the same
   * scope; returns the stored row either way, and whether it is new.
   */
  async insertOrFind(m: EntityManager, memory: NewMemory): Promise<{ record: MemoryRecord; created: boolean }> {
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const values = [
      p.add(memory.id),
      org,
      p.add(memory.userId),
      p.add(memory.agentId),
      p.add(memory.runId),
      p.add(memory.content),
      p.add(memory.context),
      p.add(memory.type),
      `${p.add(JSON.stringify(memory.metadata))}::jsonb`,
      p.add(memory.importance),
      p.add(memory.hash),
      p.add(memory.expiresAt),
    ];
    const columns = ['id', 'organization_id', 'user_id', 'agent_id', 'run_id', 'content', 'context', 'type', 'metadata', 'importance', 'hash', 'expires_at'];
    if (this.vectors.enabled && memory.embedding) {
      columns.push('embedding');
      values.push(`${p.add(toVectorLiteral(memory.embedding))}::vector`);
    }
    const inserted: MemoryRow[] = await m.query(
      `INSERT INTO memories AS m (${columns.join(', ')}) VALUES (${values.join(', ')})
       ON CONFLICT (organization_id, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash) WHERE deleted_at IS NULL
       DO NOTHING RETURNING ${COLUMNS}`,
      p.values,
    );
    if (inserted.length) return { record: toRecord(inserted[0]), created: true };
    const q = new SqlParams();
    const existing: MemoryRow[] = await m.query(
      `SELECT ${COLUMNS} FROM memories m WHERE m.organization_id = ${q.add(this.tenant.organizationId)} AND m.deleted_at IS NULL
         AND coalesce(m.user_id, '') = ${q.add(memory.userId ?? '')} AND coalesce(m.agent_id, '') = ${q.add(memory.agentId ?? '')}
         AND coalesce(m.run_id, '') = ${q.add(memory.runId ?? '')} AND m.hash = ${q.add(memory.hash)}`,
      q.values,
    );
    return { record: toRecord(existing[0]), created: false };
  }

  /**
   * Stores consecutive texts (turns of one conversation) in ONE statement: the rows, their ADD
   * history, and the neighbour context — each turn indexes the turn before and after it, the
   * first one the latest earlier turn of the same run, which in turn gets the first new one.
   * A text already live in the scope is skipped (ON CONFLICT) and reported as not created.
   * One statement is atomic without a transaction and costs one round trip, which is most of
   * the cost of an add on the embedded database.
   */
  async addTurns(
    items: { id: string; content: string; hash: string; embedding: number[] | null }[],
    scope: MemoryScope,
    common: { type: MemoryType; metadata: Record<string, unknown>; importance: number; expiresAt: Date | null },
    actor: string,
  ): Promise<{ record: MemoryRecord; created: boolean }[]> {
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const withVectors = this.vectors.enabled && items.every((i) => i.embedding);
    // The texts travel as a VALUES list of parameters: (ord, id, content, hash, before, after[, embedding]).
    const tuples = items.map((item, ord) => {
      const cells = [
        `${p.add(ord)}::int`,
        `${p.add(item.id)}::uuid`,
        `${p.add(item.content)}::text`,
        `${p.add(item.hash)}::text`,
        `${p.add(ord > 0 ? items[ord - 1].content : null)}::text`,
        `${p.add(ord + 1 < items.length ? items[ord + 1].content : null)}::text`,
      ];
      if (withVectors) cells.push(`${p.add(toVectorLiteral(item.embedding!))}::vector`);
      return `(${cells.join(', ')})`;
    });
    // With a runId, the latest earlier turn of the run is the first new turn's "before", and
    // gets that turn as its own following context.
    const linked = scope.runId != null;
    const prevCte = linked
      ? `prev AS MATERIALIZED (
           SELECT id, content FROM memories
           WHERE organization_id = ${org} AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
             AND run_id = ${p.add(scope.runId)}
             AND ${scope.userId == null ? 'user_id IS NULL' : `user_id = ${p.add(scope.userId)}`}
             AND ${scope.agentId == null ? 'agent_id IS NULL' : `agent_id = ${p.add(scope.agentId)}`}
           ORDER BY id DESC LIMIT 1),`
      : '';
    const before = linked ? `coalesce(x.before, CASE WHEN x.ord = 0 THEN (SELECT content FROM prev) END)` : 'x.before';
    const linkCte = linked
      ? `, linked AS (
           UPDATE memories SET context = concat_ws(E'\\n', context, (SELECT content FROM input WHERE ord = 0))
           FROM prev WHERE memories.id = prev.id AND EXISTS (SELECT 1 FROM ins JOIN input ON input.ord = 0 AND ins.hash = input.hash))`
      : '';
    const rows: MemoryRow[] = await this.dataSource.query(
      `WITH input (ord, id, content, hash, before, after${withVectors ? ', embedding' : ''}) AS (VALUES ${tuples.join(', ')}),
       ${prevCte}
       ins AS (
         INSERT INTO memories AS m (id, organization_id, user_id, agent_id, run_id, content, context, type, metadata, importance, hash, expires_at${withVectors ? ', embedding' : ''})
         SELECT x.id, ${org}, ${p.add(scope.userId)}, ${p.add(scope.agentId)}, ${p.add(scope.runId)}, x.content,
                nullif(concat_ws(E'\\n', ${before}, x.after), ''),
                ${p.add(common.type)}, ${p.add(JSON.stringify(common.metadata))}::jsonb, ${p.add(common.importance)}, x.hash, ${p.add(common.expiresAt)}::timestamptz
                ${withVectors ? ', x.embedding' : ''}
         FROM input x ORDER BY x.ord
         ON CONFLICT (organization_id, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash) WHERE deleted_at IS NULL DO NOTHING
         RETURNING ${COLUMNS}),
       history AS (
         INSERT INTO memory_history (organization_id, memory_id, event, new_content, actor)
         SELECT ${org}, ins.id, 'ADD', ins.content, ${p.add(actor)} FROM ins)${linkCte}
       SELECT * FROM ins`,
      p.values,
    );
    const created = new Map(rows.map((r) => [r.hash, toRecord(r)]));
    const missing = items.filter((i) => !created.has(i.hash)).map((i) => i.hash);
    const existing = new Map<string, MemoryRecord>();
    if (missing.length) {
      const q = new SqlParams();
      const found: MemoryRow[] = await this.dataSource.query(
        `SELECT ${COLUMNS} FROM memories m WHERE m.organization_id = ${q.add(this.tenant.organizationId)} AND m.deleted_at IS NULL
           AND coalesce(m.user_id, '') = ${q.add(scope.userId ?? '')} AND coalesce(m.agent_id, '') = ${q.add(scope.agentId ?? '')}
           AND coalesce(m.run_id, '') = ${q.add(scope.runId ?? '')} AND m.hash = ANY(${q.add(missing)}::text[])`,
        q.values,
      );
      for (const r of found) existing.set(r.hash, toRecord(r));
    }
    // A text repeated within the same request: its first copy is the new memory, the rest NONE.
    const seen = new Set<string>();
    return items.map((i) => {
      const record = created.get(i.hash);
      if (record && !seen.has(i.hash)) {
        seen.add(i.hash);
        return { record, created: record.id === i.id };
      }
      return { record: (record ?? existing.get(i.hash))!, created: false };
    });
  }

  /**
   * Stores imported rows in ONE statement, each with its own scope, type and time; rows whose id
   * is taken (a retried batch) or whose text is already live in their scope are skipped, so an
   * import can run again without duplicates. Writes an ADD history row per stored memory and
   * returns how many were stored.
   */
  async importRows(rows: ImportRow[], actor: string): Promise<number> {
    if (rows.length === 0) return 0;
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const withVectors = this.vectors.enabled && rows.every((r) => r.embedding);
    const tuples = rows.map((r) => {
      const cells = [
        `${p.add(r.id)}::uuid`,
        `${p.add(r.userId)}::text`,
        `${p.add(r.agentId)}::text`,
        `${p.add(r.runId)}::text`,
        `${p.add(r.content)}::text`,
        `${p.add(r.hash)}::text`,
        `${p.add(r.type)}::text`,
        `${p.add(JSON.stringify(r.metadata))}::jsonb`,
        `${p.add(r.importance)}::real`,
        `${p.add(r.expiresAt)}::timestamptz`,
        `${p.add(r.createdAt ?? new Date())}::timestamptz`,
      ];
      if (withVectors) cells.push(`${p.add(toVectorLiteral(r.embedding!))}::vector`);
      return `(${cells.join(', ')})`;
    });
    const result: { stored: number }[] = await this.dataSource.query(
      `WITH input (id, user_id, agent_id, run_id, content, hash, type, metadata, importance, expires_at, created_at${withVectors ? ', embedding' : ''}) AS (VALUES ${tuples.join(', ')}),
       ins AS (
         INSERT INTO memories AS m (id, organization_id, user_id, agent_id, run_id, content, type, metadata, importance, hash, expires_at, created_at, updated_at${withVectors ? ', embedding' : ''})
         SELECT x.id, ${org}, x.user_id, x.agent_id, x.run_id, x.content, x.type, x.metadata, x.importance, x.hash, x.expires_at, x.created_at, x.created_at${withVectors ? ', x.embedding' : ''}
         FROM input x
         ON CONFLICT DO NOTHING
         RETURNING m.id, m.content),
       history AS (
         INSERT INTO memory_history (organization_id, memory_id, event, new_content, actor)
         SELECT ${org}, ins.id, 'ADD', ins.content, ${p.add(actor)} FROM ins)
       SELECT count(*)::int AS stored FROM ins`,
      p.values,
    );
    return result[0].stored;
  }

  /** Which of these ids are rows of the caller's organization already (deleted ones too). */
  async existingIds(ids: string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows: { id: string }[] = await this.dataSource.query(`SELECT id FROM memories WHERE organization_id = $1 AND id = ANY($2::uuid[])`, [this.tenant.organizationId, ids]);
    return new Set(rows.map((r) => r.id));
  }

  /** The caller's live memories in id order after `cursor`, id and text only (re-embedding). */
  async textsAfter(cursor: string, limit: number): Promise<{ id: string; content: string }[]> {
    return this.dataSource.query(`SELECT id, content FROM memories WHERE organization_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3`, [
      this.tenant.organizationId,
      cursor,
      limit,
    ]);
  }

  async countLive(): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM memories WHERE organization_id = $1 AND deleted_at IS NULL`, [this.tenant.organizationId]);
    return rows[0].n;
  }

  async setEmbeddings(rows: { id: string; embedding: number[] }[]): Promise<void> {
    if (rows.length === 0 || !this.vectors.enabled) return;
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const values = rows.map((r) => `(${p.add(r.id)}::uuid, ${p.add(toVectorLiteral(r.embedding))}::vector)`).join(', ');
    await this.dataSource.query(
      `UPDATE memories SET embedding = v.embedding FROM (VALUES ${values}) AS v(id, embedding) WHERE memories.organization_id = ${org} AND memories.id = v.id`,
      p.values,
    );
  }

  /**
   * Maintenance, across organizations: soft-deletes every memory past its expiry (working
   * memory), with a DELETE history row by `actor`; returns what it deleted.
   */
  async expireAcrossTenants(actor: string, limit: number): Promise<MemoryRecord[]> {
    const rows = returnedRows<MemoryRow>(
      await this.dataSource.query(
        `WITH due AS (
           SELECT id FROM memories WHERE deleted_at IS NULL AND expires_at IS NOT NULL AND expires_at <= now() ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED),
         gone AS (
           UPDATE memories m SET deleted_at = now() FROM due WHERE m.id = due.id RETURNING ${COLUMNS}),
         history AS (
           INSERT INTO memory_history (organization_id, memory_id, event, old_content, actor) SELECT organization_id, id, 'DELETE', content, $1 FROM gone)
         SELECT * FROM gone`,
        [actor, limit],
      ),
    );
    return rows.map(toRecord);
  }

  /** Maintenance, across organizations: removes memories deleted more than `days` ago, with their history. */
  async purgeDeletedAcrossTenants(days: number): Promise<number> {
    const result = await this.dataSource.query(`DELETE FROM memories WHERE deleted_at < now() - make_interval(days => $1) RETURNING id`, [days]);
    return returnedRows<{ id: string }>(result).length;
  }

  /** Changes a live memory and records the UPDATE (old and new text) in one statement; null if there is none. */
  async updateWithHistory(
    id: string,
    changes: MemoryChanges,
    actor: string,
  ): Promise<MemoryRecord | null> {
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const sets = this.setClauses(p, changes);
    const rows: MemoryRow[] = await this.dataSource.query(
      `WITH old AS (
         SELECT id, content FROM memories
         WHERE organization_id = ${org} AND id = ${p.add(id)} AND deleted_at IS NULL AND (expires_at IS NULL OR expires_at > now())
         FOR UPDATE),
       upd AS (UPDATE memories m SET ${sets.join(', ')} FROM old WHERE m.id = old.id RETURNING ${COLUMNS}, old.content AS old_content),
       history AS (
         INSERT INTO memory_history (organization_id, memory_id, event, old_content, new_content, actor)
         SELECT ${org}, upd.id, 'UPDATE', upd.old_content, upd.content, ${p.add(actor)} FROM upd)
       SELECT * FROM upd`,
      p.values,
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Soft-deletes a live memory and records the DELETE in one statement; null if there is none. */
  async deleteWithHistory(id: string, actor: string): Promise<MemoryRecord | null> {
    const rows: MemoryRow[] = await this.dataSource.query(
      `WITH del AS (
         UPDATE memories m SET deleted_at = now()
         WHERE m.organization_id = $1 AND m.id = $2 AND m.deleted_at IS NULL AND (m.expires_at IS NULL OR m.expires_at > now())
         RETURNING ${COLUMNS}),
       history AS (
         INSERT INTO memory_history (organization_id, memory_id, event, old_content, actor)
         SELECT $1, del.id, 'DELETE', del.content, $3 FROM del)
       SELECT * FROM del`,
      [this.tenant.organizationId, id, actor],
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async find(id: string, m: EntityManager = this.dataSource.manager): Promise<MemoryRecord | null> {
    const p = new SqlParams();
    const rows: MemoryRow[] = await m.query(`SELECT ${COLUMNS} FROM memories m WHERE ${this.liveWhere(p)} AND m.id = ${p.add(id)}`, p.values);
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Locks a live memory for an update or delete in this transaction. */
  async findForUpdate(m: EntityManager, id: string): Promise<MemoryRecord | null> {
    const p = new SqlParams();
    const rows: MemoryRow[] = await m.query(`SELECT ${COLUMNS} FROM memories m WHERE ${this.liveWhere(p)} AND m.id = ${p.add(id)} FOR UPDATE`, p.values);
    return rows.length ? toRecord(rows[0]) : null;
  }

  async page(criteria: ListCriteria, limit: number, cursor?: string): Promise<Page<MemoryRecord>> {
    const p = new SqlParams();
    const parts = [this.liveWhere(p, criteria)];
    if (criteria.type) parts.push(`m.type = ${p.add(criteria.type)}`);
    if (criteria.createdAfter) parts.push(`m.created_at >= ${p.add(criteria.createdAfter)}`);
    if (criteria.createdBefore) parts.push(`m.created_at < ${p.add(criteria.createdBefore)}`);
    if (cursor) parts.push(`m.id > ${p.add(cursor)}`);
    const rows: MemoryRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM memories m WHERE ${parts.join(' AND ')} ORDER BY m.id LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    return toPage(rows.map(toRecord), limit);
  }

  /** The SET list of an update (always bumping updated_at). */
  private setClauses(p: SqlParams, changes: MemoryChanges): string[] {
    const sets = ['updated_at = now()'];
    if (changes.content !== undefined) sets.push(`content = ${p.add(changes.content)}`);
    if (changes.hash !== undefined) sets.push(`hash = ${p.add(changes.hash)}`);
    if (changes.embedding && this.vectors.enabled) sets.push(`embedding = ${p.add(toVectorLiteral(changes.embedding))}::vector`);
    if (changes.metadata !== undefined) sets.push(`metadata = ${p.add(JSON.stringify(changes.metadata))}::jsonb`);
    if (changes.type !== undefined) sets.push(`type = ${p.add(changes.type)}`);
    if (changes.importance !== undefined) sets.push(`importance = ${p.add(changes.importance)}`);
    if (changes.expiresAt !== undefined) sets.push(`expires_at = ${p.add(changes.expiresAt)}::timestamptz`);
    return sets;
  }

  async update(m: EntityManager, id: string, changes: MemoryChanges): Promise<MemoryRecord> {
    const p = new SqlParams();
    const sets = this.setClauses(p, changes);
    const rows = returnedRows<MemoryRow>(
      await m.query(`UPDATE memories m SET ${sets.join(', ')} WHERE m.organization_id = ${p.add(this.tenant.organizationId)} AND m.id = ${p.add(id)} RETURNING ${COLUMNS}`, p.values),
    );
    return toRecord(rows[0]);
  }

  async softDelete(m: EntityManager, id: string): Promise<void> {
    await m.query(`UPDATE memories SET deleted_at = now() WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL`, [this.tenant.organizationId, id]);
  }

  /** Soft-deletes every live memory of a scope; returns what it deleted. */
  async softDeleteScope(m: EntityManager, scope: Partial<MemoryScope>): Promise<MemoryRecord[]> {
    const p = new SqlParams();
    const rows = returnedRows<MemoryRow>(await m.query(`UPDATE memories m SET deleted_at = now() WHERE ${this.liveWhere(p, scope)} RETURNING ${COLUMNS}`, p.values));
    return rows.map(toRecord);
  }

  async insertHistory(m: EntityManager, entries: { id: string; memoryId: string; event: HistoryEvent; oldContent: string | null; newContent: string | null; actor: string }[]): Promise<void> {
    if (entries.length === 0) return;
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const tuples = entries.map((e) => `(${p.add(e.id)}, ${org}, ${p.add(e.memoryId)}, ${p.add(e.event)}, ${p.add(e.oldContent)}, ${p.add(e.newContent)}, ${p.add(e.actor)})`);
    await m.query(`INSERT INTO memory_history (id, organization_id, memory_id, event, old_content, new_content, actor) VALUES ${tuples.join(', ')}`, p.values);
  }

  /** The history of a memory of the caller's organization, deleted ones included, oldest first. */
  async history(memoryId: string): Promise<HistoryRecord[] | null> {
    const exists: unknown[] = await this.dataSource.query(`SELECT 1 FROM memories WHERE organization_id = $1 AND id = $2`, [this.tenant.organizationId, memoryId]);
    if (exists.length === 0) return null;
    const rows: { id: string; memory_id: string; event: HistoryEvent; old_content: string | null; new_content: string | null; actor: string; created_at: Date }[] =
      await this.dataSource.query(`SELECT * FROM memory_history WHERE organization_id = $1 AND memory_id = $2 ORDER BY created_at, id`, [this.tenant.organizationId, memoryId]);
    return rows.map((r) => ({ id: r.id, memoryId: r.memory_id, event: r.event, oldContent: r.old_content, newContent: r.new_content, actor: r.actor, createdAt: r.created_at }));
  }

  /**
   * Hybrid retrieval in one statement: a full-text leg (tsvector @@ tsquery, ranked by ts_rank
   * with the context at half weight) and a vector leg (pgvector cosine distance, HNSW when
   * indexed) each take their best candidates under the same scope and filter; reciprocal rank
   * fusion (weight / (60 + rank), summed over the legs that found a memory) orders the union.
   * Single-leg modes return that leg's own score (ts_rank, or cosine similarity).
   */
  async search(c: SearchCriteria): Promise<SearchHit[]> {
    const p = new SqlParams();
    let where = this.liveWhere(p, c.scope);
    if (c.filters !== undefined) where += ` AND ${compileFilter(c.filters, p)}`;
    const whereValues = [...p.values];
    const candidates = p.add(Math.min(Math.max(c.limit * 5, 50), 200));
    const legs: string[] = [];
    if (c.mode !== 'vector') {
      const raw = p.add(c.query);
      if (c.queryStyle === 'natural') {
        // Natural language, BM25-style: candidates are the memories holding any of the query's
        // words (one GIN index scan); each word counts by its rarity among them (idf, with the
        // scope's size as N), in full in the memory's own text (label A) and at half weight
        // when only in its neighbouring turns (label B).
        const n = p.add(await this.scopeSize(where, whereValues));
        legs.push(`SELECT id, score, 'text' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          WITH terms AS MATERIALIZED (
                 SELECT lexeme, quote_literal(lexeme)::tsquery AS q, (quote_literal(lexeme) || ':A')::tsquery AS qa
                 FROM (SELECT DISTINCT lexeme FROM unnest(to_tsvector('english', ${raw}))) x),
               cand AS MATERIALIZED (
                 SELECT m.id, m.tsv FROM memories m
                 WHERE m.tsv @@ (SELECT string_agg(quote_literal(lexeme), ' | ')::tsquery FROM terms) AND ${where}),
               idf AS MATERIALIZED (
                 SELECT t.q, t.qa, ln(1 + (greatest(${n}::float8, (SELECT count(*) FROM cand)) - d.df + 0.5) / (d.df + 0.5)) AS w
                 FROM terms t, LATERAL (SELECT count(*)::float8 AS df FROM cand c WHERE c.tsv @@ t.q) d)
          SELECT c.id, sum(CASE WHEN c.tsv @@ i.qa THEN i.w WHEN c.tsv @@ i.q THEN i.w * ${p.add(CONTEXT_WEIGHT)}::float8 ELSE 0 END) AS score
          FROM cand c CROSS JOIN idf i
          GROUP BY c.id ORDER BY score DESC, c.id LIMIT ${candidates}) t`);
      } else {
        legs.push(`SELECT id, score, 'text' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT m.id, ts_rank(${TEXT_WEIGHTS}, m.tsv, q.query, 1) AS score
          FROM memories m, (SELECT websearch_to_tsquery('english', ${raw}) AS query) q
          WHERE m.tsv @@ q.query AND ${where}
          ORDER BY score DESC, m.id LIMIT ${candidates}) t`);
      }
    }
    if (c.mode !== 'text' && c.vector && this.vectors.enabled) {
      const v = p.add(toVectorLiteral(c.vector));
      legs.push(`SELECT id, score, 'vector' AS leg, row_number() OVER (ORDER BY score DESC, id) AS rank FROM (
          SELECT m.id, 1 - (m.embedding <=> ${v}::vector) AS score
          FROM memories m
          WHERE m.embedding IS NOT NULL AND ${where}
          ORDER BY m.embedding <=> ${v}::vector LIMIT ${candidates}) v
        WHERE score >= ${p.add(c.vectorFloor)}::float8`);
    }
    if (legs.length === 0) return [];
    // Hybrid scores are scaled so that rank 1 in every active leg scores 1.
    const activeWeight = (c.mode !== 'vector' ? c.weights.text : 0) + (legs.length === 2 || c.mode === 'vector' ? c.weights.vector : 0);
    const fused =
      c.mode === 'hybrid'
        ? `sum(CASE leg WHEN 'text' THEN ${p.add(c.weights.text)}::float8 ELSE ${p.add(c.weights.vector)}::float8 END / (${RRF_K} + rank)) * ${p.add((RRF_K + 1) / (activeWeight || 1))}::float8`
        : 'max(score)';
    const rows: (MemoryRow & { fused: number; text_score: number | null; vector_score: number | null })[] = await this.dataSource.query(
      `WITH ranked AS (${legs.join(' UNION ALL ')}),
       fused AS (
         SELECT id, ${fused} AS fused,
                max(score) FILTER (WHERE leg = 'text') AS text_score,
                max(score) FILTER (WHERE leg = 'vector') AS vector_score
         FROM ranked GROUP BY id)
       SELECT ${COLUMNS}, f.fused, f.text_score, f.vector_score
       FROM fused f JOIN memories m ON m.id = f.id
       ORDER BY f.fused DESC, m.id LIMIT ${p.add(c.limit)}`,
      p.values,
    );
    return rows.map((r) => {
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
      return { memory: toRecord(r), score: Number(r.fused), scores, retrievers };
    });
  }

  /**
   * How many live memories a search scope holds: BM25's N. A statistic, so it is cached for a
   * minute per scope rather than counted on every search.
   */
  private async scopeSize(where: string, values: unknown[]): Promise<number> {
    const key = `${where}|${JSON.stringify(values)}`;
    const cached = this.scopeSizes.get(key);
    if (cached && cached.at > Date.now() - 60_000) return cached.n;
    const rows: { n: number }[] = await this.dataSource.query(`SELECT count(*)::int AS n FROM memories m WHERE ${where}`, values);
    if (this.scopeSizes.size > 10_000) this.scopeSizes.clear();
    this.scopeSizes.set(key, { n: rows[0].n, at: Date.now() });
    return rows[0].n;
  }

  /** Counts a retrieval of these memories. */
  async bumpAccess(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.dataSource.query(
      `UPDATE memories SET access_count = access_count + 1, last_accessed_at = now() WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [this.tenant.organizationId, ids],
    );
  }
}
