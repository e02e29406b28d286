import { Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { AppConfig } from '../config/app-config.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { EventBus } from '../common/events/event-bus.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { ChatModelService } from '../llm/chat-model.service.js';
import { EmbeddingService } from '../llm/embedding/embedding.service.js';
import { JobsService } from '../jobs/jobs.service.js';
import { MetricsService } from '../observability/metrics.service.js';
import { QueueName } from '../jobs/jobs.types.js';
import { LimitsService } from '../limits/limits.service.js';
import type { CreateMemoryDto } from './dto/create-memory.dto.js';
import type { ImportRowDto } from './dto/import-row.dto.js';
import type { ListMemoriesQueryDto } from './dto/list-memories-query.dto.js';
import {
  AddMemoriesResponseDto,
  HistoryEntryDto,
  MemoryChangeDto,
  MemoryResponseDto,
  MemoryScopesResponseDto,
} from './dto/memory-response.dto.js';
import type { UpdateMemoryDto } from './dto/update-memory.dto.js';
import { AddBatcher } from './add-batcher.js';
import { ExtractionService } from './extraction/extraction.service.js';
import { MemoryError, MemoryErrorCode } from './memory.errors.js';
import { memoryEvent, MemoryEventName } from './memory.events.js';
import { MemoryRepository } from './memory.repository.js';
import type { ListCriteria, ScopeEntity } from './memory.repository.js';
import type { MemoryRecord, MemoryScope, MemoryType } from './memory.types.js';
import { contentHash } from './normalize.js';

const EXPORT_PAGE = 1000;
const REEMBED_BATCH = 256;
const EXPIRE_BATCH = 1000;
/** Who maintenance changes are recorded as, in history rows. */
const MAINTENANCE_ACTOR = 'system:maintenance';

/**
 * The id of the memory an import job stores for one line: a UUID v7 whose time is fixed and
 * whose other bits come from the job id and the line, so it is the same on every attempt and
 * imported memories list in line order.
 */
export function importedMemoryId(jobId: string, line: number): string {
  const digest = createHash('sha256').update(`${jobId}:${line}`).digest();
  const bytes = Buffer.alloc(16);
  bytes.writeUIntBE(Number.parseInt(jobId.replace(/-/g, '').slice(0, 12), 16), 0, 6); // the job's own v7 time
  // 12 bits of version-7 rand_a and the first 12 bits of rand_b carry the line (up to 16.7M).
  bytes[6] = 0x70 | ((line >> 20) & 0x0f);
  bytes[7] = (line >> 12) & 0xff;
  bytes[8] = 0x80 | ((line >> 6) & 0x3f);
  bytes[9] = ((line & 0x3f) << 2) | (digest[0] & 0x03);
  digest.copy(bytes, 10, 1, 7);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

@Injectable()
export class MemoryService {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly batcher: AddBatcher,
    private readonly embeddings: EmbeddingService,
    private readonly chat: ChatModelService,
    private readonly extraction: ExtractionService,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
    private readonly config: AppConfig,
    private readonly jobs: JobsService,
    private readonly limits: LimitsService,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * Remembers a text or a conversation. With infer (the default) and an LLM configured, facts
   * are extracted and reconciled with what is already known (ADD/UPDATE/DELETE/NONE);
   * otherwise each text is stored as given, deduplicated by its normalized hash within the scope.
   * `path` labels it in agentmem_memory_adds_total: in a request, or a queued add a job runs.
   */
  async add(input: CreateMemoryDto, path: 'sync' | 'async_processed' = 'sync'): Promise<AddMemoriesResponseDto> {
    const added = await this.addNow(input);
    this.metrics.memoryAdds.inc({ path });
    return added;
  }

  private async addNow(input: CreateMemoryDto): Promise<AddMemoriesResponseDto> {
    const { scope, texts } = this.checkAdd(input);
    const room = await this.limits.reserveMemories(this.storing(input, texts), () => this.memories.countLive());
    let added: AddMemoriesResponseDto | undefined;
    try {
      return (added = await this.addWithin(input, scope, texts));
    } finally {
      room.release(added?.results.filter((r) => r.event === 'ADD').map((r) => r.id) ?? []);
    }
  }

  /**
   * Refuses now (403 naming the limit) an add or import of `count` memories that the
   * organization's memories-stored limit would refuse when it runs.
   */
  async checkRoomFor(count: number): Promise<void> {
    (await this.limits.reserveMemories(count, () => this.memories.countLive())).release();
  }

  /** How many memories an add may store: its texts as given, or at least one fact inferred from them. */
  private storing(input: CreateMemoryDto, texts: string[]): number {
    return input.infer !== false && this.chat.configured ? 1 : texts.length;
  }

  private async addWithin(
    input: CreateMemoryDto,
    scope: MemoryScope,
    texts: string[],
  ): Promise<AddMemoriesResponseDto> {
    const wantsInference = input.infer !== false;
    if (wantsInference && this.chat.configured) {
      const transcript = input.content ?? input.messages!.map((m) => `${m.role}: ${m.content}`).join('\n');
      const changes = await this.extraction.extractAndApply(transcript, scope, {
        type: input.type ?? 'semantic',
        metadata: input.metadata ?? {},
        importance: input.importance ?? 0.5,
        expiresAt: this.expiryOf(input.type ?? 'semantic', input.expiresAt),
      });
      return { results: changes, inferred: true };
    }
    const type: MemoryType = input.type ?? 'episodic';
    const results = await this.storeAsGiven(texts, scope, {
      type,
      metadata: input.metadata ?? {},
      importance: input.importance ?? 0.5,
      expiresAt: this.expiryOf(type, input.expiresAt),
    });
    return wantsInference
      ? {
          results,
          inferred: false,
          note: 'No LLM is configured (LLM_PROVIDER=none): the text was stored as given, as with infer=false',
        }
      : { results, inferred: false };
  }

  /** An add done later by a worker: refused now if it cannot work, else queued; the job's id. */
  async enqueueAdd(input: CreateMemoryDto): Promise<string> {
    await this.checkRoomFor(this.storing(input, this.checkAdd(input).texts));
    const jobId = await this.jobs.enqueue(QueueName.MemoryIngest, input);
    this.metrics.memoryAdds.inc({ path: 'async_enqueued' });
    return jobId;
  }

  /** Refuses an add that cannot work (checked before an async add is queued, too). */
  checkAdd(input: CreateMemoryDto): { scope: MemoryScope; texts: string[] } {
    const scope = this.scopeOf(input, 'adding a memory');
    if ((input.content === undefined) === (input.messages === undefined)) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, 'give exactly one of content or messages');
    }
    const texts =
      input.content !== undefined
        ? [input.content]
        : input.messages!.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => m.content);
    if (texts.length === 0)
      throw new MemoryError(MemoryErrorCode.InvalidInput, 'messages holds no user or assistant message to remember');
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
      throw new MemoryError(MemoryErrorCode.InvalidInput, 'expiresAt must be in the future');
    return { scope, texts };
  }

  /**
   * Stores one batch of an import job. Ids are fixed by the job and the line, so a batch that
   * runs again (a retry, a worker killed mid-import) stores nothing twice; rows already stored
   * are not even re-embedded. No per-memory events: the job reports progress instead.
   */
  async importBatch(
    jobId: string,
    firstLine: number,
    rows: ImportRowDto[],
    actor: string,
  ): Promise<{ stored: number; skipped: number }> {
    const ids = rows.map((_, i) => importedMemoryId(jobId, firstLine + i));
    const done = await this.memories.existingIds(ids);
    const todo = rows.map((row, i) => ({ row, id: ids[i] })).filter((r) => !done.has(r.id));
    if (todo.length === 0) return { stored: 0, skipped: rows.length };
    // Imports announce no memory.created events: what they store is counted on release.
    const room = await this.limits.reserveMemories(todo.length, () => this.memories.countLive());
    let stored = 0;
    try {
      stored = await this.storeImported(todo, actor);
    } finally {
      room.release(stored);
    }
    this.metrics.memoryAdds.inc({ path: 'import' }, stored);
    return { stored, skipped: rows.length - stored };
  }

  private async storeImported(todo: { row: ImportRowDto; id: string }[], actor: string): Promise<number> {
    const vectors = this.memories.vectorsEnabled
      ? await this.embeddings.embed(todo.map((t) => t.row.content))
      : todo.map(() => null);
    return this.memories.importRows(
      todo.map(({ row, id }, i) => {
        const type = row.type ?? 'episodic';
        return {
          id,
          userId: row.userId ?? null,
          agentId: row.agentId ?? null,
          runId: row.runId ?? null,
          content: row.content,
          hash: contentHash(row.content),
          type,
          metadata: row.metadata ?? {},
          importance: row.importance ?? 0.5,
          expiresAt: this.expiryOf(type, row.expiresAt),
          createdAt: row.createdAt ?? null,
          embedding: vectors[i],
        };
      }),
      actor,
    );
  }

  /** Every memory matching `criteria` as JSON Lines (the import format), page by page. */
  async exportLines(
    criteria: ListCriteria,
    onPage: (done: number) => Promise<void>,
  ): Promise<{ body: string; count: number }> {
    const lines: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.memories.page(criteria, EXPORT_PAGE, cursor);
      for (const m of page.data) {
        lines.push(
          JSON.stringify({
            id: m.id,
            content: m.content,
            userId: m.userId ?? undefined,
            agentId: m.agentId ?? undefined,
            runId: m.runId ?? undefined,
            type: m.type,
            metadata: m.metadata,
            importance: m.importance,
            createdAt: m.createdAt,
            expiresAt: m.expiresAt ?? undefined,
          }),
        );
      }
      cursor = page.nextCursor ?? undefined;
      await onPage(lines.length);
    } while (cursor);
    return { body: lines.length ? `${lines.join('\n')}\n` : '', count: lines.length };
  }

  /** Recomputes the embedding of every memory of the caller's organization with the current embedder. */
  async reembedAll(onBatch: (done: number, total: number) => Promise<void>): Promise<number> {
    if (!this.memories.vectorsEnabled) return 0;
    const total = await this.memories.countLive();
    let cursor = '00000000-0000-0000-0000-000000000000';
    let done = 0;
    for (;;) {
      const rows = await this.memories.textsAfter(cursor, REEMBED_BATCH);
      if (rows.length === 0) return done;
      const vectors = await this.embeddings.embed(rows.map((r) => r.content));
      await this.memories.setEmbeddings(rows.map((r, i) => ({ id: r.id, embedding: vectors[i] })));
      done += rows.length;
      cursor = rows[rows.length - 1].id;
      await onBatch(done, total);
    }
  }

  /** Maintenance: deletes expired (working) memories of every organization, telling each one's clients. */
  async expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const gone = await this.memories.expireAcrossTenants(MAINTENANCE_ACTOR, EXPIRE_BATCH);
      this.events.publish(gone.map((r) => memoryEvent(MemoryEventName.Deleted, r, MAINTENANCE_ACTOR)));
      total += gone.length;
      if (gone.length < EXPIRE_BATCH) return total;
    }
  }

  /** Maintenance: removes memories deleted more than `days` ago, and their history. */
  purgeDeleted(days: number): Promise<number> {
    return this.memories.purgeDeletedAcrossTenants(days);
  }

  /**
   * Stores texts as given, in one statement shared with concurrent adds (AddBatcher).
   * Consecutive texts are turns of a conversation: each keeps its neighbours as context
   * (indexed for full text at half weight, DESIGN.md), and the latest earlier turn of the run,
   * or without a runId of the scope within MEMORY_SESSION_GAP_MINUTES, gets the first new one.
   */
  private async storeAsGiven(
    texts: string[],
    scope: MemoryScope,
    common: { type: MemoryType; metadata: Record<string, unknown>; importance: number; expiresAt: Date | null },
  ): Promise<MemoryChangeDto[]> {
    const vectors = this.memories.vectorsEnabled ? await this.embeddings.embed(texts) : texts.map(() => null);
    const actor = this.tenant.actor;
    const stored = await this.batcher.add({
      organizationId: this.tenant.organizationId,
      scope,
      items: texts.map((content, i) => ({ id: uuidv7(), content, hash: contentHash(content), embedding: vectors[i] })),
      ...common,
      actor,
    });
    this.events.publish(
      stored.filter((s) => s.created).map((s) => memoryEvent(MemoryEventName.Created, s.record, actor)),
    );
    return stored.map((s) => ({ id: s.record.id, memory: s.record.content, event: s.created ? 'ADD' : 'NONE' }));
  }

  async list(query: ListMemoriesQueryDto): Promise<Page<MemoryResponseDto>> {
    const page = await this.memories.page(
      {
        userId: query.userId,
        agentId: query.agentId,
        runId: query.runId,
        type: query.type,
        createdAfter: query.createdAfter,
        createdBefore: query.createdBefore,
        order: query.order,
      },
      query.limit,
      query.cursor,
    );
    return mapPage(page, MemoryResponseDto.from);
  }

  async get(id: string): Promise<MemoryResponseDto> {
    const memory = await this.memories.find(id);
    if (!memory) throw CommonError.notFound('memory', id);
    return MemoryResponseDto.from(memory);
  }

  async update(id: string, input: UpdateMemoryDto): Promise<MemoryResponseDto> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now())
      throw new MemoryError(MemoryErrorCode.InvalidInput, 'expiresAt must be in the future');
    const embedding =
      input.content !== undefined && this.memories.vectorsEnabled
        ? (await this.embeddings.embed([input.content]))[0]
        : null;
    const actor = this.tenant.actor;
    let updated;
    try {
      updated = await this.memories.updateWithHistory(
        id,
        {
          content: input.content,
          hash: input.content !== undefined ? contentHash(input.content) : undefined,
          embedding,
          metadata: input.metadata,
          type: input.type,
          importance: input.importance,
          // Becoming working memory (re)starts its time to live.
          expiresAt:
            input.expiresAt !== undefined
              ? input.expiresAt
              : input.type === 'working'
                ? this.expiryOf('working', undefined)
                : undefined,
        },
        actor,
      );
    } catch (error) {
      if (isUniqueViolation(error))
        throw new MemoryError(MemoryErrorCode.Duplicate, 'content: the same text is already a memory of this scope');
      throw error;
    }
    if (!updated) throw CommonError.notFound('memory', id);
    this.events.publish([memoryEvent(MemoryEventName.Updated, updated, actor)]);
    return MemoryResponseDto.from(updated);
  }

  async remove(id: string): Promise<void> {
    const actor = this.tenant.actor;
    const deleted = await this.memories.deleteWithHistory(id, actor);
    if (!deleted) throw CommonError.notFound('memory', id);
    this.events.publish([memoryEvent(MemoryEventName.Deleted, deleted, actor)]);
  }

  /**
   * New texts for several memories in one transaction: all change or none (an unknown id is a
   * 404, a text already a memory of its scope a 409), embedded in one call; events after commit.
   */
  async updateMany(changes: { id: string; content: string }[]): Promise<MemoryResponseDto[]> {
    const embeddings = this.memories.vectorsEnabled
      ? await this.embeddings.embed(changes.map((c) => c.content))
      : changes.map(() => null);
    const actor = this.tenant.actor;
    let updated: MemoryRecord[];
    try {
      updated = await this.memories.transaction(async (m) => {
        const rows: MemoryRecord[] = [];
        for (const [i, c] of changes.entries()) {
          const row = await this.memories.updateWithHistory(
            c.id,
            { content: c.content, hash: contentHash(c.content), embedding: embeddings[i] },
            actor,
            m,
          );
          if (!row) throw CommonError.notFound('memory', c.id);
          rows.push(row);
        }
        return rows;
      });
    } catch (error) {
      if (isUniqueViolation(error))
        throw new MemoryError(MemoryErrorCode.Duplicate, 'content: the same text is already a memory of this scope');
      throw error;
    }
    this.events.publish(updated.map((r) => memoryEvent(MemoryEventName.Updated, r, actor)));
    return updated.map(MemoryResponseDto.from);
  }

  /** Deletes several memories in one transaction: all or none (an unknown id is a 404); events after commit. */
  async removeMany(ids: string[]): Promise<void> {
    const actor = this.tenant.actor;
    const deleted = await this.memories.transaction(async (m) => {
      const rows: MemoryRecord[] = [];
      for (const id of ids) {
        const row = await this.memories.deleteWithHistory(id, actor, m);
        if (!row) throw CommonError.notFound('memory', id);
        rows.push(row);
      }
      return rows;
    });
    this.events.publish(deleted.map((r) => memoryEvent(MemoryEventName.Deleted, r, actor)));
  }

  /** Deletes every memory of a scope (at least one of userId, agentId, runId). */
  async removeScope(input: { userId?: string; agentId?: string; runId?: string }): Promise<number> {
    const scope = this.scopeOf(input, 'deleting memories in bulk');
    const actor = this.tenant.actor;
    const deleted = await this.memories.transaction(async (m) => {
      const rows = await this.memories.softDeleteScope(m, scope);
      await this.memories.insertHistory(
        m,
        rows.map((r) => ({
          id: uuidv7(),
          memoryId: r.id,
          event: 'DELETE' as const,
          oldContent: r.content,
          newContent: null,
          actor,
        })),
      );
      return rows;
    });
    this.events.publish(deleted.map((r) => memoryEvent(MemoryEventName.Deleted, r, actor)));
    return deleted.length;
  }

  /**
   * A numbered page of the memories a scope and a filter (the search filter language) select,
   * newest first, with how many there are in all.
   */
  async filteredPage(
    scope: Partial<MemoryScope>,
    filters: Record<string, unknown> | undefined,
    page: number,
    pageSize: number,
  ): Promise<{ memories: MemoryResponseDto[]; total: number }> {
    const { records, total } = await this.memories.filteredPage(scope, filters, (page - 1) * pageSize, pageSize);
    return { memories: records.map(MemoryResponseDto.from), total };
  }

  /** The user, agent and run ids the caller's memories are scoped by, with their counts. */
  entities(page: number, pageSize: number): Promise<{ entities: ScopeEntity[]; total: number }> {
    return this.memories.entities((page - 1) * pageSize, pageSize);
  }

  /** The most recently changed scopes (as the console lists them), and how many there are. */
  async scopes(limit: number): Promise<MemoryScopesResponseDto> {
    const { entities, total } = await this.memories.entities(0, limit);
    return {
      data: entities.map((e) => ({
        type: e.type,
        id: e.name,
        memories: e.memories,
        createdAt: e.createdAt,
        updatedAt: e.updatedAt,
      })),
      total,
    };
  }

  async history(id: string): Promise<HistoryEntryDto[]> {
    const rows = await this.memories.history(id);
    if (!rows) throw CommonError.notFound('memory', id);
    return rows.map(HistoryEntryDto.from);
  }

  private scopeOf(input: { userId?: string; agentId?: string; runId?: string }, action: string): MemoryScope {
    const scope = { userId: input.userId ?? null, agentId: input.agentId ?? null, runId: input.runId ?? null };
    if (scope.userId === null && scope.agentId === null && scope.runId === null) {
      throw new MemoryError(MemoryErrorCode.ScopeRequired, `one of userId, agentId or runId is required for ${action}`);
    }
    return scope;
  }

  /** The given expiry (checkAdd refused a past one for adds), or working memory's default. */
  private expiryOf(type: MemoryType, given: Date | undefined): Date | null {
    if (given) return given;
    return type === 'working' ? new Date(Date.now() + this.config.WORKING_MEMORY_TTL_SECONDS * 1000) : null;
  }
}
