import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { returnedRows } from '../database/returned-rows.js';
import type { Returned } from '../database/returned-rows.js';
import { preparedQuery } from '../database/prepared.js';
import { SqlParams } from '../database/sql-params.js';
import { liveMemoryWhere, MEMORY_COLUMNS as COLUMNS, NOT_EXPIRED, toMemoryRecord as toRecord } from './memory-row.js';
import type { MemoryRow } from './memory-row.js';
import type {
  AddGroup,
  AddItem,
  HistoryEvent,
  HistoryRecord,
  ImportRow,
  MemoryRecord,
  MemoryScope,
  MemoryType,
  NewMemory,
} from './memory.types.js';
import { toVectorLiteral } from './normalize.js';
import { compileFilter } from './search/filter-compiler.js';
import type { VectorSchemaState } from './vector-schema.js';

export const VECTOR_SCHEMA = Symbol('VECTOR_SCHEMA');

/** The columns of an add's input, in the order of each row (`addGroups`): name and SQL type. */
const ADD_COLUMNS: readonly (readonly [string, string])[] = [
  ['ord', 'int'],
  ['id', 'uuid'],
  ['organization_id', 'uuid'],
  ['user_id', 'text'],
  ['agent_id', 'text'],
  ['run_id', 'text'],
  ['content', 'text'],
  ['hash', 'text'],
  ['before', 'text'],
  ['prev_id', 'uuid'],
  ['type', 'text'],
  ['metadata', 'jsonb'],
  ['importance', 'real'],
  ['expires_at', 'timestamptz'],
  ['actor', 'text'],
];

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
  /** Oldest first (`asc`, by id: ids are time-ordered) or newest first. */
  order?: 'asc' | 'desc';
}

/** The ids a caller's memories are scoped by, with how many live memories each holds. */
export interface ScopeEntity {
  type: 'user' | 'agent' | 'run';
  name: string;
  memories: number;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Every query of the memories and memory_history tables. Written as SQL (the embedding column's
 * size belongs to the installation, the tsvector is generated); search has its own (search/);
 * every statement filters on the caller's organization, and reads see only live memories
 * (not deleted, not expired).
 */
@Injectable()
export class MemoryRepository {
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
    return liveMemoryWhere(p, this.tenant.organizationId, scope);
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
    const columns = [
      'id',
      'organization_id',
      'user_id',
      'agent_id',
      'run_id',
      'content',
      'context',
      'type',
      'metadata',
      'importance',
      'hash',
      'expires_at',
    ];
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
   * Stores the adds of several callers (AddBatcher) in ONE statement and one commit: the rows,
   * their ADD history, and the neighbour context. Each group is consecutive texts of one
   * caller; each text indexes the text before it in its chain (`context`) and points at it
   * (`prev_id`, how search finds the text after a memory: no earlier row is ever rewritten).
   * A chain is the group itself, or for a linked group (a run, or a scope within its session
   * gap) every group of the same scope in the batch, in order, whose first text also takes the
   * latest earlier memory of that scope as its "before".
   * A text already live in its scope is skipped (ON CONFLICT) and reported as not created.
   */
  async addGroups(
    groups: AddGroup[],
    sessionGapMinutes: number,
  ): Promise<{ record: MemoryRecord; created: boolean }[][]> {
    const p = new SqlParams();
    const withVectors = this.vectors.enabled && groups.every((g) => g.items.every((i) => i.embedding));
    // A run continues across requests; so does a scope without runId within the session gap.
    const linked = (g: AddGroup) => g.scope.runId !== null || sessionGapMinutes > 0;
    const chainKey = (g: AddGroup, index: number) =>
      linked(g) ? JSON.stringify([g.organizationId, g.scope.userId, g.scope.agentId, g.scope.runId]) : `#${index}`;
    // Rows in chain order: each knows the text before it; a linked chain's first row looks up the latest earlier memory.
    const chains = new Map<string, { group: AddGroup; item: AddItem; ord: number }[]>();
    let ord = 0;
    groups.forEach((group, index) => {
      const key = chainKey(group, index);
      const chain = chains.get(key) ?? [];
      for (const item of group.items) chain.push({ group, item, ord: ord++ });
      chains.set(key, chain);
    });
    // One array per column (unnest): the statement's text depends on its chains' scopes only, not on
    // how many rows it holds, so that it is prepared once (database/prepared.ts).
    const columns = withVectors ? [...ADD_COLUMNS, ['embedding', 'vector'] as const] : ADD_COLUMNS;
    const values: unknown[][] = columns.map(() => []);
    const prevLookups: string[] = [];
    for (const chain of chains.values()) {
      chain.forEach(({ group, item, ord }, k) => {
        const before = k > 0 ? chain[k - 1].item : null;
        const row: unknown[] = [
          ord,
          item.id,
          group.organizationId,
          group.scope.userId,
          group.scope.agentId,
          group.scope.runId,
          item.content,
          item.hash,
        ];
        row.push(
          before?.content ?? null,
          before?.id ?? null,
          group.type,
          JSON.stringify(group.metadata),
          group.importance,
          group.expiresAt,
          group.actor,
        );
        if (withVectors) row.push(toVectorLiteral(item.embedding!));
        row.forEach((value, i) => values[i].push(value));
      });
      const { group, ord: first } = chain[0];
      if (!linked(group)) continue;
      const s = group.scope;
      const eq = (column: string, value: string | null) =>
        value == null ? `${column} IS NULL` : `${column} = ${p.add(value)}`;
      const recent =
        s.runId == null ? ` AND m.created_at > now() - make_interval(mins => ${p.add(sessionGapMinutes)})` : '';
      prevLookups.push(`(SELECT ${p.add(first)}::int AS ord, m.id, m.content FROM memories m
           WHERE m.organization_id = ${p.add(group.organizationId)} AND m.deleted_at IS NULL AND ${NOT_EXPIRED}
             AND ${eq('m.run_id', s.runId)} AND ${eq('m.user_id', s.userId)} AND ${eq('m.agent_id', s.agentId)}${recent}
           ORDER BY m.id DESC LIMIT 1)`);
    }
    const input = columns.map(([, type], i) => `${p.add(values[i])}::${type}[]`);
    const prev = prevLookups.length
      ? prevLookups.join(' UNION ALL ')
      : 'SELECT NULL::int AS ord, NULL::uuid AS id, NULL::text AS content WHERE false';
    const rows = await preparedQuery<MemoryRow[]>(
      this.dataSource,
      `WITH input AS (
         SELECT * FROM unnest(${input.join(', ')})
           AS x (${columns.map(([name]) => name).join(', ')})),
       prev AS MATERIALIZED (${prev}),
       ins AS (
         INSERT INTO memories AS m (id, organization_id, user_id, agent_id, run_id, content, context, prev_id, type, metadata, importance, hash, expires_at${withVectors ? ', embedding' : ''})
         SELECT x.id, x.organization_id, x.user_id, x.agent_id, x.run_id, x.content,
                nullif(coalesce(x.before, p.content), ''), coalesce(x.prev_id, p.id),
                x.type, x.metadata, x.importance, x.hash, x.expires_at${withVectors ? ', x.embedding' : ''}
         FROM input x LEFT JOIN prev p ON p.ord = x.ord ORDER BY x.ord
         ON CONFLICT (organization_id, coalesce(user_id, ''), coalesce(agent_id, ''), coalesce(run_id, ''), hash) WHERE deleted_at IS NULL DO NOTHING
         RETURNING ${COLUMNS}),
       history AS (
         INSERT INTO memory_history (organization_id, memory_id, event, new_content, actor)
         SELECT ins.organization_id, ins.id, 'ADD', ins.content, x.actor FROM ins JOIN input x ON x.id = ins.id)
       SELECT * FROM ins`,
      p.values,
    );
    const created = new Map(rows.map((r) => [r.id, toRecord(r)]));
    // The live memory holding a text in a scope (what the unique index keys on), made or found.
    const textKey = (organizationId: string, s: MemoryScope, hash: string) =>
      JSON.stringify([organizationId, s.userId ?? '', s.agentId ?? '', s.runId ?? '', hash]);
    const live = new Map<string, MemoryRecord>();
    const keep = (r: MemoryRecord) => live.set(textKey(r.organizationId, r, r.hash), r);
    created.forEach(keep);
    const missing = groups.flatMap((g) =>
      g.items
        .filter((i) => !created.has(i.id) && !live.has(textKey(g.organizationId, g.scope, i.hash)))
        .map((i) => ({ g, i })),
    );
    if (missing.length) {
      const q = new SqlParams();
      const keys = missing.map(
        ({ g, i }) =>
          `(${q.add(g.organizationId)}::uuid, ${q.add(g.scope.userId ?? '')}::text, ${q.add(g.scope.agentId ?? '')}::text, ${q.add(g.scope.runId ?? '')}::text, ${q.add(i.hash)}::text)`,
      );
      const found: MemoryRow[] = await this.dataSource.query(
        `SELECT ${COLUMNS} FROM memories m JOIN (VALUES ${keys.join(', ')}) AS k(organization_id, user_id, agent_id, run_id, hash)
           ON m.organization_id = k.organization_id AND coalesce(m.user_id, '') = k.user_id AND coalesce(m.agent_id, '') = k.agent_id
          AND coalesce(m.run_id, '') = k.run_id AND m.hash = k.hash
         WHERE m.deleted_at IS NULL`,
        q.values,
      );
      found.map(toRecord).forEach(keep);
    }
    // The copy whose id was stored is the new memory; any other copy of the same text is NONE.
    return groups.map((g) =>
      g.items.map((i) => {
        const record = created.get(i.id);
        return record
          ? { record, created: true }
          : { record: live.get(textKey(g.organizationId, g.scope, i.hash))!, created: false };
      }),
    );
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
    const rows: { id: string }[] = await this.dataSource.query(
      `SELECT id FROM memories WHERE organization_id = $1 AND id = ANY($2::uuid[])`,
      [this.tenant.organizationId, ids],
    );
    return new Set(rows.map((r) => r.id));
  }

  /** The caller's live memories in id order after `cursor`, id and text only (re-embedding). */
  async textsAfter(cursor: string, limit: number): Promise<{ id: string; content: string }[]> {
    return this.dataSource.query(
      `SELECT id, content FROM memories WHERE organization_id = $1 AND deleted_at IS NULL AND id > $2 ORDER BY id LIMIT $3`,
      [this.tenant.organizationId, cursor, limit],
    );
  }

  async countLive(): Promise<number> {
    const rows: { n: number }[] = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM memories WHERE organization_id = $1 AND deleted_at IS NULL`,
      [this.tenant.organizationId],
    );
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
    const result = await this.dataSource.query<Returned<{ id: string }>>(
      `DELETE FROM memories WHERE deleted_at < now() - make_interval(days => $1) RETURNING id`,
      [days],
    );
    return returnedRows(result).length;
  }

  /** Changes a live memory and records the UPDATE (old and new text) in one statement; null if there is none. */
  async updateWithHistory(
    id: string,
    changes: MemoryChanges,
    actor: string,
    m: DataSource | EntityManager = this.dataSource,
  ): Promise<MemoryRecord | null> {
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const sets = this.setClauses(p, changes);
    const rows = await preparedQuery<MemoryRow[]>(
      m,
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
  async deleteWithHistory(
    id: string,
    actor: string,
    m: DataSource | EntityManager = this.dataSource,
  ): Promise<MemoryRecord | null> {
    const rows = await preparedQuery<MemoryRow[]>(
      m,
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
    const rows = await preparedQuery<MemoryRow[]>(
      m,
      `SELECT ${COLUMNS} FROM memories m WHERE ${this.liveWhere(p)} AND m.id = ${p.add(id)}`,
      p.values,
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  /** Locks a live memory for an update or delete in this transaction. */
  async findForUpdate(m: EntityManager, id: string): Promise<MemoryRecord | null> {
    const p = new SqlParams();
    const rows = await preparedQuery<MemoryRow[]>(
      m,
      `SELECT ${COLUMNS} FROM memories m WHERE ${this.liveWhere(p)} AND m.id = ${p.add(id)} FOR UPDATE`,
      p.values,
    );
    return rows.length ? toRecord(rows[0]) : null;
  }

  async page(criteria: ListCriteria, limit: number, cursor?: string): Promise<Page<MemoryRecord>> {
    const p = new SqlParams();
    const parts = [this.liveWhere(p, criteria)];
    if (criteria.type) parts.push(`m.type = ${p.add(criteria.type)}`);
    if (criteria.createdAfter) parts.push(`m.created_at >= ${p.add(criteria.createdAfter)}`);
    if (criteria.createdBefore) parts.push(`m.created_at < ${p.add(criteria.createdBefore)}`);
    const newestFirst = criteria.order === 'desc';
    // The same index either way (a btree is read backwards for newest first).
    if (cursor) parts.push(`m.id ${newestFirst ? '<' : '>'} ${p.add(cursor)}`);
    const rows = await preparedQuery<MemoryRow[]>(
      this.dataSource,
      `SELECT ${COLUMNS} FROM memories m WHERE ${parts.join(' AND ')} ORDER BY m.id ${newestFirst ? 'DESC' : 'ASC'} LIMIT ${p.add(limit + 1)}`,
      p.values,
    );
    return toPage(rows.map(toRecord), limit);
  }

  /**
   * A numbered page of the memories a scope and a filter (the search filter language) select,
   * newest first, with the count of all of them: for clients that page by number (Mem0's).
   */
  async filteredPage(
    scope: Partial<MemoryScope>,
    filters: Record<string, unknown> | undefined,
    offset: number,
    limit: number,
  ): Promise<{ records: MemoryRecord[]; total: number }> {
    const p = new SqlParams();
    let where = this.liveWhere(p, scope);
    if (filters !== undefined) where += ` AND ${compileFilter(filters, p)}`;
    const whereValues = [...p.values];
    const rows: (MemoryRow & { total: string })[] = await this.dataSource.query(
      `SELECT ${COLUMNS}, count(*) OVER () AS total FROM memories m WHERE ${where}
       ORDER BY m.created_at DESC, m.id DESC OFFSET ${p.add(offset)} LIMIT ${p.add(limit)}`,
      p.values,
    );
    if (rows.length === 0 && offset > 0) {
      // Past the last page: the count still tells the client how many there are.
      const [{ n }] = await this.dataSource.query<{ n: string }[]>(
        `SELECT count(*) AS n FROM memories m WHERE ${where}`,
        whereValues,
      );
      return { records: [], total: Number(n) };
    }
    return { records: rows.map(toRecord), total: rows.length ? Number(rows[0].total) : 0 };
  }

  /** The user, agent and run ids of the caller's live memories, most recently changed first. */
  async entities(offset: number, limit: number): Promise<{ entities: ScopeEntity[]; total: number }> {
    const p = new SqlParams();
    const where = this.liveWhere(p);
    const rows: { type: ScopeEntity['type']; name: string; n: string; first: Date; last: Date; total: string }[] =
      await this.dataSource.query(
        `WITH e AS (
           SELECT 'user' AS type, m.user_id AS name, m.created_at, m.updated_at FROM memories m WHERE ${where} AND m.user_id IS NOT NULL
           UNION ALL
           SELECT 'agent', m.agent_id, m.created_at, m.updated_at FROM memories m WHERE ${where} AND m.agent_id IS NOT NULL
           UNION ALL
           SELECT 'run', m.run_id, m.created_at, m.updated_at FROM memories m WHERE ${where} AND m.run_id IS NOT NULL)
         SELECT type, name, count(*) AS n, min(created_at) AS first, max(updated_at) AS last, count(*) OVER () AS total
         FROM e GROUP BY type, name ORDER BY last DESC, type, name OFFSET ${p.add(offset)} LIMIT ${p.add(limit)}`,
        p.values,
      );
    return {
      entities: rows.map((r) => ({
        type: r.type,
        name: r.name,
        memories: Number(r.n),
        createdAt: r.first,
        updatedAt: r.last,
      })),
      total: rows.length ? Number(rows[0].total) : 0,
    };
  }

  /** The SET list of an update (always bumping updated_at). */
  private setClauses(p: SqlParams, changes: MemoryChanges): string[] {
    const sets = ['updated_at = now()'];
    if (changes.content !== undefined) sets.push(`content = ${p.add(changes.content)}`);
    if (changes.hash !== undefined) sets.push(`hash = ${p.add(changes.hash)}`);
    if (changes.embedding && this.vectors.enabled)
      sets.push(`embedding = ${p.add(toVectorLiteral(changes.embedding))}::vector`);
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
      await m.query(
        `UPDATE memories m SET ${sets.join(', ')} WHERE m.organization_id = ${p.add(this.tenant.organizationId)} AND m.id = ${p.add(id)} RETURNING ${COLUMNS}`,
        p.values,
      ),
    );
    return toRecord(rows[0]);
  }

  async softDelete(m: EntityManager, id: string): Promise<void> {
    await m.query(
      `UPDATE memories SET deleted_at = now() WHERE organization_id = $1 AND id = $2 AND deleted_at IS NULL`,
      [this.tenant.organizationId, id],
    );
  }

  /** Soft-deletes every live memory of a scope; returns what it deleted. */
  async softDeleteScope(m: EntityManager, scope: Partial<MemoryScope>): Promise<MemoryRecord[]> {
    const p = new SqlParams();
    const rows = returnedRows<MemoryRow>(
      await m.query(
        `UPDATE memories m SET deleted_at = now() WHERE ${this.liveWhere(p, scope)} RETURNING ${COLUMNS}`,
        p.values,
      ),
    );
    return rows.map(toRecord);
  }

  async insertHistory(
    m: EntityManager,
    entries: {
      id: string;
      memoryId: string;
      event: HistoryEvent;
      oldContent: string | null;
      newContent: string | null;
      actor: string;
    }[],
  ): Promise<void> {
    if (entries.length === 0) return;
    const p = new SqlParams();
    const org = p.add(this.tenant.organizationId);
    const tuples = entries.map(
      (e) =>
        `(${p.add(e.id)}, ${org}, ${p.add(e.memoryId)}, ${p.add(e.event)}, ${p.add(e.oldContent)}, ${p.add(e.newContent)}, ${p.add(e.actor)})`,
    );
    await m.query(
      `INSERT INTO memory_history (id, organization_id, memory_id, event, old_content, new_content, actor) VALUES ${tuples.join(', ')}`,
      p.values,
    );
  }

  /** The history of a memory of the caller's organization, deleted ones included, oldest first. */
  async history(memoryId: string): Promise<HistoryRecord[] | null> {
    const exists: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM memories WHERE organization_id = $1 AND id = $2`,
      [this.tenant.organizationId, memoryId],
    );
    if (exists.length === 0) return null;
    const rows: {
      id: string;
      memory_id: string;
      event: HistoryEvent;
      old_content: string | null;
      new_content: string | null;
      actor: string;
      created_at: Date;
    }[] = await this.dataSource.query(
      `SELECT * FROM memory_history WHERE organization_id = $1 AND memory_id = $2 ORDER BY created_at, id`,
      [this.tenant.organizationId, memoryId],
    );
    return rows.map((r) => ({
      id: r.id,
      memoryId: r.memory_id,
      event: r.event,
      oldContent: r.old_content,
      newContent: r.new_content,
      actor: r.actor,
      createdAt: r.created_at,
    }));
  }
}
