import { Injectable } from '@nestjs/common';
import { AgentsService } from '../../agents/agents.service.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { MemoryService } from '../../memory/memory.service.js';
import { SearchService } from '../../memory/search/search.service.js';
import type {
  LettaCreatePassageDto,
  LettaListPassagesQueryDto,
  LettaPassageDto,
  LettaSearchPassagesQueryDto,
  LettaSearchResponseDto,
} from './dto/letta-passage.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';
import { iso, passageTagsOf, toLettaPassage } from './letta-mappers.js';

/**
 * Letta's archival memory is the agent's memories in AgentMem: scope agentId = the agent's id,
 * no user or run. Passages are stored as given (no extraction), deduplicated as every memory is;
 * the facts the loop extracts from the agent's conversations are passages too.
 */
@Injectable()
export class LettaArchivalService {
  constructor(
    private readonly agents: AgentsService,
    private readonly memories: MemoryService,
    private readonly searches: SearchService,
  ) {}

  async create(agentId: string, input: LettaCreatePassageDto): Promise<LettaPassageDto[]> {
    await this.agents.find(agentId);
    const added = await this.memories.add({
      content: input.text,
      agentId,
      infer: false,
      ...(input.tags && input.tags.length > 0 ? { metadata: { tags: [...new Set(input.tags)] } } : {}),
    });
    return Promise.all(added.results.map(async (r) => toLettaPassage(await this.memories.get(r.id))));
  }

  async list(agentId: string, query: LettaListPassagesQueryDto): Promise<LettaPassageDto[]> {
    await this.agents.find(agentId);
    if (query.search !== undefined) {
      if (query.after !== undefined)
        throw new LettaError(
          LettaErrorCode.InvalidInput,
          'after is not supported with search: a search answers the best matches, not a page',
        );
      const found = await this.searches.search({ query: query.search, agentId, limit: query.limit });
      return found.results.map(toLettaPassage);
    }
    const page = await this.memories.list({ agentId, limit: query.limit, cursor: query.after });
    return page.data.map(toLettaPassage);
  }

  async search(agentId: string, query: LettaSearchPassagesQueryDto): Promise<LettaSearchResponseDto> {
    await this.agents.find(agentId);
    const tags = [...new Set(query.tags ?? [])];
    const all = query.tag_match_mode === 'all';
    // The filter language's `contains` finds a tag in a list, but also inside a string value
    // (ILIKE: `cat` in "category"). It narrows the search in SQL; membership of the passage's tag
    // list (passageTagsOf) is then checked exactly here. A memory whose `tags` is a string is no
    // passage with tags, so only those can be dropped from the top_k.
    const conditions: Record<string, unknown>[] = [
      ...(tags.length > 0 ? [{ [all ? 'AND' : 'OR']: tags.map((tag) => ({ tags: { contains: tag } })) }] : []),
      ...(query.start_datetime ? [{ createdAt: { gte: query.start_datetime.toISOString() } }] : []),
      ...(query.end_datetime ? [{ createdAt: { lte: query.end_datetime.toISOString() } }] : []),
    ];
    const found = await this.searches.search({
      query: query.query,
      agentId,
      limit: query.top_k ?? 10,
      ...(conditions.length > 0 ? { filters: { AND: conditions } } : {}),
    });
    const matches = (own: string[]) =>
      tags.length === 0 || (all ? tags.every((t) => own.includes(t)) : tags.some((t) => own.includes(t)));
    const results = found.results
      .filter((hit) => matches(passageTagsOf(hit.metadata)))
      .map((hit) => ({
        id: hit.id,
        content: hit.memory,
        timestamp: iso(hit.createdAt),
        tags: passageTagsOf(hit.metadata),
      }));
    return { count: results.length, results };
  }

  /** Deletes one passage of the agent (a memory of another scope is not found). */
  async remove(agentId: string, memoryId: string): Promise<void> {
    await this.agents.find(agentId);
    const memory = await this.memories.get(memoryId);
    if (memory.agentId !== agentId) throw CommonError.notFound('passage', memoryId);
    await this.memories.remove(memoryId);
  }
}
