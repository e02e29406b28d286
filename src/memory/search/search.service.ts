import { Inject, Injectable } from '@nestjs/common';
import { TenantContext } from '../../common/context/tenant-context.js';
import { AppConfig } from '../../config/app-config.js';
import type { SearchMode } from '../../config/app-config.js';
import { EmbeddingService } from '../../llm/embedding/embedding.service.js';
import { MetricsService } from '../../observability/metrics.service.js';
import { SearchHitDto } from '../dto/memory-response.dto.js';
import type { SearchResponseDto } from '../dto/memory-response.dto.js';
import type { SearchMemoriesDto } from '../dto/search-memories.dto.js';
import { ExtractionService } from '../extraction/extraction.service.js';
import { VECTOR_SCHEMA } from '../memory.repository.js';
import type { VectorSchemaState } from '../vector-schema.js';
import { AccessCounts } from './access-counts.js';
import { legWeights, resolveMode, vectorFloor } from './fusion.js';
import { SearchError, SearchErrorCode } from './search.errors.js';
import { SearchRepository } from './search.repository.js';

/** Search text in web-search syntax (quotes, -exclusion, OR) is taken as typed; anything else as natural language. */
export function queryStyleOf(query: string): 'natural' | 'websearch' {
  return /"|(^|\s)-\S|\sor\s/i.test(query) ? 'websearch' : 'natural';
}

/**
 * Retrieval over the caller's memories: the mode (fusion.ts), the query's vector, one search
 * statement (search.repository.ts), the threshold and the optional LLM rerank; hits are counted
 * as accesses off the request path (access-counts.ts).
 */
@Injectable()
export class SearchService {
  constructor(
    private readonly repository: SearchRepository,
    private readonly embeddings: EmbeddingService,
    private readonly extraction: ExtractionService,
    private readonly accesses: AccessCounts,
    private readonly tenant: TenantContext,
    private readonly config: AppConfig,
    @Inject(VECTOR_SCHEMA) private readonly vectors: VectorSchemaState,
    private readonly metrics: MetricsService,
  ) {}

  /**
   * A search, timed as a whole (leg `total`) and by leg: the query's vector (`embed`), the
   * retrieval (the repository and the index time theirs), the `rerank`; each also a span.
   */
  async search(input: SearchMemoriesDto): Promise<SearchResponseDto> {
    const mode = resolveMode(
      input.mode ?? this.config.SEARCH_DEFAULT_MODE,
      this.embeddings.semantic,
      this.vectors.enabled,
    );
    if (mode === 'vector' && !this.vectors.enabled) {
      throw new SearchError(
        SearchErrorCode.VectorUnavailable,
        `Vector search is unavailable on this server (${this.vectors.reason ?? 'see /health/ready'}); use mode text or hybrid`,
      );
    }
    return this.metrics.timed('search', this.metrics.searchDuration, { mode, leg: 'total' }, () =>
      this.searchIn(mode, input),
    );
  }

  private async searchIn(mode: SearchMode, input: SearchMemoriesDto): Promise<SearchResponseDto> {
    const { metrics } = this;
    const vector =
      mode !== 'text' && this.vectors.enabled
        ? (
            await metrics.timed('search.embed', metrics.searchDuration, { mode, leg: 'embed' }, () =>
              this.embeddings.embed([input.query]),
            )
          )[0]
        : null;
    let hits = await this.repository.search({
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
    if (input.rerank && hits.length > 1) {
      const candidates = hits;
      hits = await metrics.timed('search.rerank', metrics.searchDuration, { mode, leg: 'rerank' }, () =>
        this.extraction.rerank(input.query, candidates),
      );
    }
    this.accesses.note(
      this.tenant.organizationId,
      hits.map((h) => h.memory.id),
    );
    return { results: hits.map(SearchHitDto.fromHit), mode };
  }
}
