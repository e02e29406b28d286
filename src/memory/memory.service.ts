import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { EventBus } from '../common/events/event-bus.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { ChatModelService } from '../llm/chat-model.service.js';
import { EmbeddingService } from '../llm/embedding/embedding.service.js';
import { legWeights, resolveMode, vectorFloor } from '../search/fusion.js';
import { SearchError, SearchErrorCode } from '../search/search.errors.js';
import type { CreateMemoryDto } from './dto/create-memory.dto.js';
import type { ListMemoriesQueryDto } from './dto/list-memories-query.dto.js';
import {
  AddMemoriesResponseDto,
  HistoryEntryDto,
  MemoryChangeDto,
  MemoryResponseDto,
  SearchHitDto,
  SearchResponseDto,
} from './dto/memory-response.dto.js';
import type { SearchMemoriesDto } from './dto/search-memories.dto.js';
import type { UpdateMemoryDto } from './dto/update-memory.dto.js';
import { ExtractionService } from './extraction/extraction.service.js';
import { MemoryError, MemoryErrorCode } from './memory.errors.js';
import { memoryEvent, MemoryEventName } from './memory.events.js';
import type { MemoryEvent } from './memory.events.js';
import { MemoryRepository } from './memory.repository.js';
import type { MemoryScope, MemoryType } from './memory.types.js';
import { contentHash } from './normalize.js';

/** Search text in web-search syntax (quotes, -exclusion, OR) is taken as typed; anything else as natural language. */
export function queryStyleOf(query: string): 'natural' | 'websearch' {
  return /"|(^|\s)-\S|\sor\s/i.test(query) ? 'websearch' : 'natural';
}

@Injectable()
export class MemoryService {
  constructor(
    private readonly memories: MemoryRepository,
    private readonly embeddings: EmbeddingService,
    private readonly chat: ChatModelService,
    private readonly extraction: ExtractionService,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  /**
   * Remembers a text or a conversation. With infer (the default) and an LLM configured, facts
   * are extracted and reconciled with what is already known (ADD/UPDATE/DELETE/NONE);
   * otherwise each text is stored as given, deduplicated by its normalized hash within the scope.
   */
  async add(input: CreateMemoryDto): Promise<AddMemoriesResponseDto> {
    const scope = this.scopeOf(input, 'adding a memory');
    if ((input.content === undefined) === (input.messages === undefined)) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, 'give exactly one of content or messages');
    }
    const texts = input.content !== undefined ? [input.content] : input.messages!.filter((m) => m.role === 'user' || m.role === 'assistant').map((m) => m.content);
    if (texts.length === 0) throw new MemoryError(MemoryErrorCode.InvalidInput, 'messages holds no user or assistant message to remember');
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
      ? { results, inferred: false, note: 'No LLM is configured (LLM_PROVIDER=none): the text was stored as given, as with infer=false' }
      : { results, inferred: false };
  }

  /**
   * Stores texts as given, in one transaction. Consecutive texts are turns of a conversation:
   * each keeps its neighbours as context (indexed for full text at half weight, DESIGN.md), and
   * with a runId the previous turn of that run, added earlier, gets the first new one.
   */
  private async storeAsGiven(
    texts: string[],
    scope: MemoryScope,
    common: { type: MemoryType; metadata: Record<string, unknown>; importance: number; expiresAt: Date | null },
  ): Promise<MemoryChangeDto[]> {
    const vectors = this.memories.vectorsEnabled ? await this.embeddings.embed(texts) : texts.map(() => null);
    const actor = this.tenant.actor;
    const stored = await this.memories.addTurns(
      texts.map((content, i) => ({ id: uuidv7(), content, hash: contentHash(content), embedding: vectors[i] })),
      scope,
      common,
      actor,
    );
    this.events.publish(stored.filter((s) => s.created).map((s) => memoryEvent(MemoryEventName.Created, s.record, actor)));
    return stored.map((s) => ({ id: s.record.id, memory: s.record.content, event: s.created ? 'ADD' : 'NONE' }));
  }

  async list(query: ListMemoriesQueryDto): Promise<Page<MemoryResponseDto>> {
    const page = await this.memories.page(
      { userId: query.userId, agentId: query.agentId, runId: query.runId, type: query.type, createdAfter: query.createdAfter, createdBefore: query.createdBefore },
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
    const embedding = input.content !== undefined && this.memories.vectorsEnabled ? (await this.embeddings.embed([input.content]))[0] : null;
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
          expiresAt: input.type === 'working' ? this.expiryOf('working', undefined) : undefined,
        },
        actor,
      );
    } catch (error) {
      if (isUniqueViolation(error)) throw new MemoryError(MemoryErrorCode.Duplicate, 'content: the same text is already a memory of this scope');
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

  /** Deletes every memory of a scope (at least one of userId, agentId, runId). */
  async removeScope(input: { userId?: string; agentId?: string; runId?: string }): Promise<number> {
    const scope = this.scopeOf(input, 'deleting memories in bulk');
    const actor = this.tenant.actor;
    const deleted = await this.memories.transaction(async (m) => {
      const rows = await this.memories.softDeleteScope(m, scope);
      await this.memories.insertHistory(
        m,
        rows.map((r) => ({ id: uuidv7(), memoryId: r.id, event: 'DELETE' as const, oldContent: r.content, newContent: null, actor })),
      );
      return rows;
    });
    this.events.publish(deleted.map((r) => memoryEvent(MemoryEventName.Deleted, r, actor)));
    return deleted.length;
  }

  async history(id: string): Promise<HistoryEntryDto[]> {
    const rows = await this.memories.history(id);
    if (!rows) throw CommonError.notFound('memory', id);
    return rows.map(HistoryEntryDto.from);
  }

  async search(input: SearchMemoriesDto): Promise<SearchResponseDto> {
    const mode = resolveMode(input.mode ?? this.config.SEARCH_DEFAULT_MODE, this.embeddings.semantic, this.memories.vectorsEnabled);
    if (mode === 'vector' && !this.memories.vectorsEnabled) {
      throw new SearchError(SearchErrorCode.VectorUnavailable, 'Vector search is unavailable on this server (no pgvector; see /health/ready); use mode text or hybrid');
    }
    const vector = mode !== 'text' && this.memories.vectorsEnabled ? (await this.embeddings.embed([input.query]))[0] : null;
    let hits = await this.memories.search({
      query: input.query,
      queryStyle: queryStyleOf(input.query),
      vector,
      scope: { userId: input.userId, agentId: input.agentId, runId: input.runId },
      filters: input.filters,
      mode,
      limit: input.limit,
      weights: legWeights(this.embeddings.semantic),
      vectorFloor: vectorFloor(this.embeddings.semantic),
    });
    if (input.threshold !== undefined) hits = hits.filter((h) => h.score >= input.threshold!);
    if (input.rerank && hits.length > 1) hits = await this.extraction.rerank(input.query, hits);
    await this.memories.bumpAccess(hits.map((h) => h.memory.id));
    return { results: hits.map(SearchHitDto.fromHit), mode };
  }

  private scopeOf(input: { userId?: string; agentId?: string; runId?: string }, action: string): MemoryScope {
    const scope = { userId: input.userId ?? null, agentId: input.agentId ?? null, runId: input.runId ?? null };
    if (scope.userId === null && scope.agentId === null && scope.runId === null) {
      throw new MemoryError(MemoryErrorCode.ScopeRequired, `one of userId, agentId or runId is required for ${action}`);
    }
    return scope;
  }

  private expiryOf(type: MemoryType, given: Date | undefined): Date | null {
    if (given) {
      if (given.getTime() <= Date.now()) throw new MemoryError(MemoryErrorCode.InvalidInput, 'expiresAt must be in the future');
      return given;
    }
    return type === 'working' ? new Date(Date.now() + this.config.WORKING_MEMORY_TTL_SECONDS * 1000) : null;
  }
}
