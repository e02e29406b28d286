import { Injectable } from '@nestjs/common';
import { TenantContext } from '../../common/context/tenant-context.js';
import { CommonError } from '../../common/errors/common.errors.js';
import { parseIsoDateTime } from '../../common/input/iso-date.js';
import { JobsService } from '../../jobs/jobs.service.js';
import { QueueName } from '../../jobs/jobs.types.js';
import type { JobState } from '../../jobs/jobs.types.js';
import type {
  AddMemoriesResponseDto,
  MemoryChangeDto,
  MemoryResponseDto,
} from '../../memory/dto/memory-response.dto.js';
import { MemoryService } from '../../memory/memory.service.js';
import { SearchService } from '../../memory/search/search.service.js';
import type { Mem0AddMemoryDto } from './dto/mem0-add.dto.js';
import type { Mem0BatchDto } from './dto/mem0-batch.dto.js';
import type { Mem0EntityIdsDto } from './dto/mem0-entity.dto.js';
import type { Mem0FeedbackDto, Mem0Feedback } from './dto/mem0-feedback.dto.js';
import type {
  Mem0AddResponseDto,
  Mem0AddResultDto,
  Mem0EntitiesDto,
  Mem0EventDto,
  Mem0FeedbackResponseDto,
  Mem0HistoryEntryDto,
  Mem0MemoryDto,
  Mem0MessageResponseDto,
  Mem0PageDto,
  Mem0PingResponseDto,
  Mem0SearchResponseDto,
} from './dto/mem0-response.dto.js';
import type { Mem0ListMemoriesDto, Mem0SearchMemoriesDto } from './dto/mem0-search.dto.js';
import type { Mem0UpdateMemoryDto } from './dto/mem0-update.dto.js';
import { Mem0Error, Mem0ErrorCode } from './mem0.errors.js';
import { APP_ID_KEY, translateMem0Filters } from './mem0-filters.js';
import type { Mem0Scope } from './mem0-filters.js';

/** How far one piece of feedback moves a memory's importance (0–1; search boosts by it). */
const FEEDBACK_STEP: Record<Mem0Feedback, number> = { POSITIVE: 0.1, NEGATIVE: -0.1, VERY_NEGATIVE: -0.25 };

/** Our job states as Mem0's event states. */
const EVENT_STATUS: Record<JobState, Mem0EventDto['status']> = {
  waiting: 'PENDING',
  delayed: 'PENDING',
  active: 'RUNNING',
  completed: 'SUCCEEDED',
  failed: 'FAILED',
};

/** The links of a numbered page, as Mem0's lists give them (the same path, another page). */
export interface PageLink {
  (page: number): string;
}

/**
 * Mem0's platform API (what `mem0ai`'s MemoryClient calls) translated onto the memory and search
 * services: snake_case in and out, `app_id` as a metadata key, Mem0's filters as ours. No memory
 * logic of its own; the tenant and roles are the REST API's.
 */
@Injectable()
export class Mem0Service {
  constructor(
    private readonly memories: MemoryService,
    private readonly searches: SearchService,
    private readonly jobs: JobsService,
    private readonly tenant: TenantContext,
  ) {}

  ping(): Mem0PingResponseDto {
    return { status: 'ok', org_id: this.tenant.organizationId, project_id: null, user_email: null };
  }

  async add(input: Mem0AddMemoryDto): Promise<Mem0AddResponseDto> {
    const scope = scopeOf(input, 'adding memories');
    const expiresAt = input.expiration_date !== undefined ? expiryOf(input.expiration_date) : undefined;
    const add = {
      ...scope,
      messages: input.messages.map((m) => ({ role: m.role, content: m.content })),
      metadata: withAppId(input.metadata ?? {}, input.app_id),
      infer: input.infer,
      expiresAt,
    };
    if (input.async_mode) {
      const jobId = await this.memories.enqueueAdd(add);
      return {
        results: [],
        status: 'PENDING',
        event_id: jobId,
        message: 'Memory processing has been queued for background execution',
      };
    }
    const added = await this.memories.add(add);
    return { results: addResults(added), status: 'SUCCEEDED', event_id: null, message: 'ok' };
  }

  async event(id: string): Promise<Mem0EventDto> {
    const job = await this.jobs.find(id);
    if (job.queue !== QueueName.MemoryIngest) throw CommonError.notFound('event', id);
    const result = job.state === 'completed' ? (job.result as AddMemoriesResponseDto | null) : null;
    return {
      id: job.id,
      status: EVENT_STATUS[job.state],
      results: result ? addResults(result) : [],
      error: job.error,
      created_at: job.createdAt.toISOString(),
      updated_at: job.finishedAt?.toISOString() ?? null,
    };
  }

  async search(input: Mem0SearchMemoriesDto): Promise<Mem0SearchResponseDto> {
    const { scope, filters } = translateMem0Filters(input.filters, {
      metadata: input.metadata,
      categories: input.categories,
    });
    const found = await this.searches.search({
      ...scope,
      query: input.query,
      filters,
      limit: input.top_k,
      threshold: input.threshold,
      rerank: input.rerank,
      mode: input.keyword_search ? 'text' : undefined,
    });
    return { results: found.results.map((hit) => ({ ...toMem0(hit), score: hit.score })) };
  }

  async list(input: Mem0ListMemoriesDto, page: number, pageSize: number, link: PageLink): Promise<Mem0PageDto> {
    checkDepth(page, pageSize);
    const { scope, filters } = translateMem0Filters(input.filters, { categories: input.categories });
    const dates = [
      ...(input.start_date !== undefined ? [{ createdAt: { gte: dateOf(input.start_date, 'start_date') } }] : []),
      ...(input.end_date !== undefined ? [{ createdAt: { lt: dateOf(input.end_date, 'end_date') } }] : []),
    ];
    const all = [...(filters ? [filters] : []), ...dates];
    const { memories, total } = await this.memories.filteredPage(
      scope,
      all.length === 0 ? undefined : all.length === 1 ? all[0] : { AND: all },
      page,
      pageSize,
    );
    return { ...pageLinks(total, page, pageSize, link), results: memories.map(toMem0) };
  }

  async get(id: string): Promise<Mem0MemoryDto> {
    return toMem0(await this.memories.get(id));
  }

  async update(id: string, input: Mem0UpdateMemoryDto): Promise<Mem0MemoryDto> {
    if (input.text === undefined && input.metadata === undefined && input.expiration_date === undefined) {
      throw new Mem0Error(Mem0ErrorCode.InvalidInput, 'give at least one of text, metadata or expiration_date');
    }
    let metadata = input.metadata;
    if (metadata !== undefined) {
      // Mem0 keeps app_id beside the metadata: replacing the metadata keeps it.
      const current = await this.memories.get(id);
      metadata = withAppId(metadata, appIdOf(current.metadata) ?? undefined);
    }
    const updated = await this.memories.update(id, {
      content: input.text,
      metadata,
      expiresAt:
        input.expiration_date === undefined
          ? undefined
          : input.expiration_date === null
            ? null
            : expiryOf(input.expiration_date),
    });
    return toMem0(updated);
  }

  async remove(id: string): Promise<Mem0MessageResponseDto> {
    await this.memories.remove(id);
    return { message: 'Memory deleted successfully!' };
  }

  async removeAll(input: Mem0EntityIdsDto): Promise<Mem0MessageResponseDto> {
    if (input.app_id !== undefined) {
      throw new Mem0Error(
        Mem0ErrorCode.Unsupported,
        'app_id: deleting by app is not supported (app_id is metadata here); delete by user_id, agent_id or run_id',
      );
    }
    const deleted = await this.memories.removeScope(scopeOf(input, 'deleting memories'));
    return { message: `Memories deleted successfully! (${deleted})` };
  }

  async history(id: string): Promise<Mem0HistoryEntryDto[]> {
    const entries = await this.memories.history(id);
    // A deleted memory keeps its history but is no longer readable: its user id is then unknown.
    const userId = await this.memories.get(id).then(
      (m) => m.userId,
      () => null,
    );
    return entries.map((e) => ({
      id: e.id,
      memory_id: e.memoryId,
      user_id: userId,
      event: e.event,
      old_memory: e.oldContent,
      new_memory: e.newContent,
      input: [],
      actor: e.actor,
      created_at: e.createdAt.toISOString(),
      updated_at: e.createdAt.toISOString(),
    }));
  }

  async entities(page: number, pageSize: number, link: PageLink): Promise<Mem0EntitiesDto> {
    checkDepth(page, pageSize);
    const { entities, total } = await this.memories.entities(page, pageSize);
    return {
      ...pageLinks(total, page, pageSize, link),
      results: entities.map((e) => ({
        id: e.name,
        name: e.name,
        type: e.type,
        total_memories: e.memories,
        created_at: e.createdAt.toISOString(),
        updated_at: e.updatedAt.toISOString(),
      })),
    };
  }

  async removeEntity(type: string, name: string): Promise<Mem0MessageResponseDto> {
    const fields = { user: 'userId', agent: 'agentId', run: 'runId' } as const;
    const field = Object.hasOwn(fields, type) ? fields[type as keyof typeof fields] : undefined;
    if (!field) {
      throw new Mem0Error(
        type === 'app' ? Mem0ErrorCode.Unsupported : Mem0ErrorCode.InvalidInput,
        `entity type '${type}': use user, agent or run${type === 'app' ? ' (app_id is metadata here)' : ''}`,
      );
    }
    await this.memories.removeScope({ [field]: name });
    return { message: 'Entity deleted successfully!' };
  }

  /** All or nothing: an unknown id, or a text already a memory of its scope, changes nothing. */
  async batchUpdate(input: Mem0BatchDto): Promise<Mem0MessageResponseDto> {
    checkDistinct(input);
    const changes = input.memories.map((m, i) => {
      if (m.text === undefined)
        throw new Mem0Error(Mem0ErrorCode.InvalidInput, `memories.${i}.text: required for a batch update`);
      return { id: m.memory_id, content: m.text };
    });
    await this.memories.updateMany(changes);
    return { message: `Successfully updated ${changes.length} memories` };
  }

  /** All or nothing: an unknown id deletes nothing. */
  async batchDelete(input: Mem0BatchDto): Promise<Mem0MessageResponseDto> {
    checkDistinct(input);
    await this.memories.removeMany(input.memories.map((m) => m.memory_id));
    return { message: `Successfully deleted ${input.memories.length} memories` };
  }

  async feedback(input: Mem0FeedbackDto): Promise<Mem0FeedbackResponseDto> {
    const memory = await this.memories.get(input.memory_id);
    if (input.feedback) {
      const importance = Math.min(1, Math.max(0, memory.importance + FEEDBACK_STEP[input.feedback]));
      await this.memories.update(memory.id, { importance });
    }
    return { id: memory.id, feedback: input.feedback ?? null, feedback_reason: input.feedback_reason ?? null };
  }
}

/** How deep numbered pages may reach (an OFFSET costs what it skips). */
const MAX_PAGE_DEPTH = 100_000;

function checkDepth(page: number, pageSize: number): void {
  if ((page - 1) * pageSize >= MAX_PAGE_DEPTH)
    throw new Mem0Error(
      Mem0ErrorCode.InvalidInput,
      `page: pages reach ${MAX_PAGE_DEPTH.toLocaleString('en')} items at most (page × page_size); narrow the filters`,
    );
}

function checkDistinct(input: Mem0BatchDto): void {
  const ids = input.memories.map((m) => m.memory_id);
  const duplicate = ids.findIndex((id, i) => ids.indexOf(id) !== i);
  if (duplicate >= 0) throw new Mem0Error(Mem0ErrorCode.InvalidInput, `memories.${duplicate}.memory_id: given twice`);
}

/** Mem0's user, agent and run ids as our scope (at least one: app_id alone is metadata here). */
function scopeOf(input: Mem0EntityIdsDto, action: string): Mem0Scope {
  const scope = { userId: input.user_id, agentId: input.agent_id, runId: input.run_id };
  if (scope.userId === undefined && scope.agentId === undefined && scope.runId === undefined) {
    throw new Mem0Error(
      Mem0ErrorCode.InvalidInput,
      `user_id, agent_id or run_id: one is required for ${action}${input.app_id !== undefined ? ' (app_id alone is not a scope here)' : ''}`,
    );
  }
  return scope;
}

function withAppId(metadata: Record<string, unknown>, appId: string | undefined): Record<string, unknown> {
  return appId === undefined ? metadata : { ...metadata, [APP_ID_KEY]: appId };
}

function appIdOf(metadata: Record<string, unknown>): string | null {
  const value = metadata[APP_ID_KEY];
  return typeof value === 'string' ? value : null;
}

function dateOf(text: string, field: string): string {
  if (!parseIsoDateTime(text))
    throw new Mem0Error(Mem0ErrorCode.InvalidInput, `${field}: must be YYYY-MM-DD or ISO 8601`);
  return text;
}

/** Mem0's expiration date: a memory given a day lasts through that day (UTC). */
function expiryOf(text: string): Date {
  const date = parseIsoDateTime(text);
  if (!date) throw new Mem0Error(Mem0ErrorCode.InvalidInput, 'expiration_date: must be YYYY-MM-DD or ISO 8601');
  const expiry = /^\d{4}-\d{2}-\d{2}$/.test(text) ? new Date(date.getTime() + 24 * 3600 * 1000) : date;
  if (expiry.getTime() <= Date.now())
    throw new Mem0Error(Mem0ErrorCode.InvalidInput, 'expiration_date: must be in the future');
  return expiry;
}

function toMem0(m: MemoryResponseDto): Mem0MemoryDto {
  const { [APP_ID_KEY]: _appId, ...metadata } = m.metadata;
  const categories = m.metadata.categories;
  return {
    id: m.id,
    memory: m.memory,
    user_id: m.userId,
    agent_id: m.agentId,
    app_id: appIdOf(m.metadata),
    run_id: m.runId,
    metadata,
    categories: Array.isArray(categories) ? categories.filter((c): c is string => typeof c === 'string') : [],
    memory_type: m.type,
    created_at: m.createdAt.toISOString(),
    updated_at: m.updatedAt.toISOString(),
    expiration_date: m.expiresAt?.toISOString() ?? null,
  };
}

function addResults(added: AddMemoriesResponseDto): Mem0AddResultDto[] {
  return added.results.map((c: MemoryChangeDto) => ({
    id: c.id,
    memory: c.memory,
    data: { memory: c.memory },
    event: c.event === 'NONE' ? 'NOOP' : c.event,
    ...(c.previous !== undefined ? { previous_memory: c.previous } : {}),
  }));
}

function pageLinks(
  total: number,
  page: number,
  pageSize: number,
  link: PageLink,
): Pick<Mem0PageDto, 'count' | 'next' | 'previous'> {
  return {
    count: total,
    next: page * pageSize < total ? link(page + 1) : null,
    previous: page > 1 ? link(Math.min(page - 1, Math.max(1, Math.ceil(total / pageSize)))) : null,
  };
}
