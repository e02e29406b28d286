import { Injectable, Logger } from '@nestjs/common';
import { TenantContext } from '../../common/context/tenant-context.js';
import { EventBus } from '../../common/events/event-bus.js';
import { uuidv7 } from '../../common/ids.js';
import { ChatModelService, InvalidModelOutput } from '../../llm/chat-model.service.js';
import { EmbeddingService } from '../../llm/embedding/embedding.service.js';
import { legWeights, vectorFloor } from '../search/fusion.js';
import { SearchRepository } from '../search/search.repository.js';
import type { MemoryChangeDto } from '../dto/memory-response.dto.js';
import { memoryEvent, MemoryEventName } from '../memory.events.js';
import type { MemoryEvent } from '../memory.events.js';
import { MemoryRepository } from '../memory.repository.js';
import type { MemoryRecord, MemoryScope, MemoryType, SearchHit } from '../memory.types.js';
import { contentHash } from '../normalize.js';
import {
  FACT_EXTRACTION_SYSTEM,
  FACT_SCHEMA,
  factExtractionPrompt,
  PROMPT_VERSION,
  RECONCILE_SCHEMA,
  RECONCILE_SYSTEM,
  reconcilePrompt,
  RERANK_SCHEMA,
  RERANK_SYSTEM,
  rerankPrompt,
} from './prompts.js';

/** How many existing memories each new fact is compared with. */
const NEIGHBOURS_PER_FACT = 5;

type Decision =
  | { event: 'ADD'; text: string }
  | { event: 'UPDATE'; id: string; text: string }
  | { event: 'DELETE'; id: string }
  | { event: 'NONE'; id: string };

function object(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new InvalidModelOutput(`${what} is not an object`);
  return value as Record<string, unknown>;
}

export function parseFacts(value: unknown): string[] {
  const facts = object(value, 'reply').facts;
  if (!Array.isArray(facts) || facts.some((f) => typeof f !== 'string'))
    throw new InvalidModelOutput('facts must be an array of strings');
  return [...new Set((facts as string[]).map((f) => f.trim()).filter((f) => f.length > 0 && f.length <= 2000))];
}

/** Checks the model's decisions: known ids only, each existing memory touched at most once. */
export function parseDecisions(value: unknown, knownIds: Set<string>): Decision[] {
  const list = object(value, 'reply').memory;
  if (!Array.isArray(list)) throw new InvalidModelOutput('memory must be an array');
  const touched = new Set<string>();
  return list.map((raw, i) => {
    const item = object(raw, `memory[${i}]`);
    const text = typeof item.text === 'string' ? item.text.trim() : '';
    const id = typeof item.id === 'string' ? item.id : undefined;
    if (item.event === 'ADD') {
      if (!text) throw new InvalidModelOutput(`memory[${i}]: ADD without text`);
      return { event: 'ADD', text };
    }
    if (item.event !== 'UPDATE' && item.event !== 'DELETE' && item.event !== 'NONE')
      throw new InvalidModelOutput(`memory[${i}]: unknown event ${String(item.event)}`);
    if (!id || !knownIds.has(id))
      throw new InvalidModelOutput(`memory[${i}]: ${item.event} refers to unknown id ${String(item.id)}`);
    if (item.event !== 'NONE') {
      if (touched.has(id)) throw new InvalidModelOutput(`memory[${i}]: id ${id} is changed twice`);
      touched.add(id);
    }
    if (item.event === 'UPDATE') {
      if (!text) throw new InvalidModelOutput(`memory[${i}]: UPDATE without text`);
      return { event: 'UPDATE', id, text };
    }
    return { event: item.event, id };
  });
}

/**
 * The LLM half of the memory pipeline: extract candidate facts, compare each with the nearest
 * memories of the same scope, let the model decide ADD/UPDATE/DELETE/NONE (existing memories are
 * named by short temporary ids, never UUIDs), then apply every decision in one transaction.
 * Unusable model output is retried once and otherwise fails the request (502) with nothing written.
 */
@Injectable()
export class ExtractionService {
  private readonly logger = new Logger('Extraction');

  constructor(
    private readonly chat: ChatModelService,
    private readonly embeddings: EmbeddingService,
    private readonly memories: MemoryRepository,
    private readonly searches: SearchRepository,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
  ) {}

  async extractAndApply(
    transcript: string,
    scope: MemoryScope,
    common: { type: MemoryType; metadata: Record<string, unknown>; importance: number; expiresAt: Date | null },
  ): Promise<MemoryChangeDto[]> {
    const facts = await this.chat.generateStructured({
      name: 'fact_extraction',
      system: FACT_EXTRACTION_SYSTEM,
      prompt: factExtractionPrompt(transcript, new Date().toISOString().slice(0, 10)),
      schema: FACT_SCHEMA,
      validate: parseFacts,
    });
    this.logger.debug(`prompt v${PROMPT_VERSION}: ${facts.length} facts`);
    if (facts.length === 0) return [];

    const vectors = this.memories.vectorsEnabled ? await this.embeddings.embed(facts) : facts.map(() => null);
    const neighbours = new Map<string, MemoryRecord>();
    for (let i = 0; i < facts.length; i++) {
      const hits = await this.searches.search({
        query: facts[i],
        queryStyle: 'natural',
        vector: vectors[i],
        scope,
        mode: vectors[i] ? 'hybrid' : 'text',
        limit: NEIGHBOURS_PER_FACT,
        weights: legWeights(this.embeddings.semantic),
        vectorFloor: vectorFloor(this.embeddings.semantic),
      });
      for (const h of hits) neighbours.set(h.memory.id, h.memory);
    }
    // Short ids for the model: "0", "1", ... mapped back to the real rows here.
    const existing = [...neighbours.values()];
    const byTempId = new Map(existing.map((m, i) => [String(i), m]));
    const decisions = await this.chat.generateStructured({
      name: 'memory_reconciliation',
      system: RECONCILE_SYSTEM,
      prompt: reconcilePrompt(
        existing.map((m, i) => ({ id: String(i), text: m.content })),
        facts,
      ),
      schema: RECONCILE_SCHEMA,
      validate: (value) => parseDecisions(value, new Set(byTempId.keys())),
    });

    const texts = decisions.flatMap((d) => (d.event === 'ADD' || d.event === 'UPDATE' ? [d.text] : []));
    const embedded = this.memories.vectorsEnabled && texts.length ? await this.embeddings.embed(texts) : [];
    const vectorOf = new Map(texts.map((t, i) => [t, embedded[i] ?? null]));
    const actor = this.tenant.actor;
    const { results, events } = await this.memories.transaction(async (m) => {
      const results: MemoryChangeDto[] = [];
      const events: MemoryEvent[] = [];
      const history = [];
      for (const d of decisions) {
        if (d.event === 'ADD') {
          const { record, created } = await this.memories.insertOrFind(m, {
            id: uuidv7(),
            ...scope,
            content: d.text,
            context: null,
            ...common,
            hash: contentHash(d.text),
            embedding: vectorOf.get(d.text) ?? null,
          });
          results.push({ id: record.id, memory: record.content, event: created ? 'ADD' : 'NONE' });
          if (created) {
            history.push({
              id: uuidv7(),
              memoryId: record.id,
              event: 'ADD' as const,
              oldContent: null,
              newContent: record.content,
              actor,
            });
            events.push(memoryEvent(MemoryEventName.Created, record, actor));
          }
          continue;
        }
        const target = byTempId.get(d.id)!;
        const locked = await this.memories.findForUpdate(m, target.id);
        if (!locked) continue; // deleted meanwhile: nothing left to change
        if (d.event === 'NONE') {
          results.push({ id: locked.id, memory: locked.content, event: 'NONE' });
        } else if (d.event === 'UPDATE') {
          const record = await this.memories.update(m, locked.id, {
            content: d.text,
            hash: contentHash(d.text),
            embedding: vectorOf.get(d.text) ?? null,
          });
          history.push({
            id: uuidv7(),
            memoryId: locked.id,
            event: 'UPDATE' as const,
            oldContent: locked.content,
            newContent: d.text,
            actor,
          });
          events.push(memoryEvent(MemoryEventName.Updated, record, actor));
          results.push({ id: locked.id, memory: d.text, event: 'UPDATE', previous: locked.content });
        } else {
          await this.memories.softDelete(m, locked.id);
          history.push({
            id: uuidv7(),
            memoryId: locked.id,
            event: 'DELETE' as const,
            oldContent: locked.content,
            newContent: null,
            actor,
          });
          events.push(memoryEvent(MemoryEventName.Deleted, locked, actor));
          results.push({ id: locked.id, memory: locked.content, event: 'DELETE' });
        }
      }
      await this.memories.insertHistory(m, history);
      return { results, events };
    });
    this.events.publish(events);
    return results;
  }

  /** Lets the LLM order search hits by relevance; ids it leaves out keep their order at the end. */
  async rerank(query: string, hits: SearchHit[]): Promise<SearchHit[]> {
    const ids = new Set(hits.map((_, i) => String(i)));
    const order = await this.chat.generateStructured({
      name: 'rerank',
      system: RERANK_SYSTEM,
      prompt: rerankPrompt(
        query,
        hits.map((h, i) => ({ id: String(i), text: h.memory.content })),
      ),
      schema: RERANK_SCHEMA,
      validate: (value) => {
        const list = object(value, 'reply').order;
        if (!Array.isArray(list) || list.some((id) => typeof id !== 'string' || !ids.has(id)))
          throw new InvalidModelOutput('order must list only the ids given');
        return [...new Set(list as string[])];
      },
    });
    const ranked = order.map((id) => hits[Number(id)]);
    const rest = hits.filter((_, i) => !order.includes(String(i)));
    return [...ranked, ...rest];
  }
}
