import { Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { CacheRedis } from '../common/cache/cache-redis.js';
import { LocalVersionStore, RedisVersionStore } from '../common/cache/version-store.js';
import { VersionedCache } from '../common/cache/versioned-cache.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { EventBus } from '../common/events/event-bus.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { AgentRepository } from './agent.repository.js';
import { AgentEventName } from './agent.events.js';
import { BlockRepository } from './blocks/block.repository.js';
import type { Agent } from './entities/agent.entity.js';
import type { Block } from './entities/block.entity.js';

/** Seconds a version lives in Redis after its last change (an expired one costs one reload). */
const VERSION_TTL_SECONDS = 86_400;

/** What every turn of an agent reads before it calls the model. */
interface TurnReads {
  agent: Agent;
  blocks: Block[];
}

/**
 * The reads of an agent turn (the agent row with its tools, its core memory blocks: three
 * queries) cached per process, checked against a version shared by every process before each
 * use (common/cache/versioned-cache.ts). Every change of an agent, of its attachments or of a
 * block attached to it calls `changed` after it commits and before it answers, so no process
 * serves the old value once the change is answered. Versions live in Redis with REDIS_URL, in
 * the process on the embedded database (one process); with PostgreSQL and no Redis there is
 * no shared place for them, so nothing is cached. HOT_CACHE_ENTRIES=0 turns it off.
 *
 * Entries are keyed by organization and agent: a key never crosses organizations.
 */
@Injectable()
export class AgentHotReads implements OnModuleDestroy {
  private readonly logger = new Logger('AgentHotReads');
  private readonly cache: VersionedCache<TurnReads> | null;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly agents: AgentRepository,
    private readonly blocks: BlockRepository,
    private readonly tenant: TenantContext,
    config: AppConfig,
    redis: CacheRedis,
    metrics: MetricsService,
    events: EventBus,
  ) {
    const store = redis.client
      ? new RedisVersionStore(redis.client, `${redis.prefix}agent:`, VERSION_TTL_SECONDS)
      : config.embedded
        ? new LocalVersionStore()
        : null;
    if (config.HOT_CACHE_ENTRIES > 0 && !store)
      this.logger.log('hot reads not cached: several processes share PostgreSQL without Redis to hold versions');
    this.cache =
      config.HOT_CACHE_ENTRIES > 0 && store
        ? new VersionedCache<TurnReads>('agent', store, config.HOT_CACHE_ENTRIES, (result) =>
            metrics.hotCache.inc({ cache: 'agent', result }),
          )
        : null;
    const cache = this.cache;
    if (!cache) return;
    this.unsubscribe.push(
      redis.onReconnect(() => cache.clear()),
      // Eagerly, for changes made elsewhere: the version check alone would also catch them.
      events.subscribe((event) => {
        if (event.name === AgentEventName.Updated) cache.drop(keyOf(event.organizationId, event.payload.agentId));
      }),
    );
  }

  /** The caller's agent (with its tool ids), or null. Treat it as read-only. */
  async find(agentId: string): Promise<Agent | null> {
    if (!this.cache) return this.agents.find(agentId);
    return (await this.read(agentId))?.agent ?? null;
  }

  /** The blocks of the caller's agent, in prompt order (none for an agent that is not the caller's). */
  async blocksOf(agentId: string): Promise<Block[]> {
    if (!this.cache) return this.blocks.ofAgent(agentId);
    return (await this.read(agentId))?.blocks ?? [];
  }

  /**
   * Call after a change of these agents of the caller's organization (their fields, tools,
   * attachments, or a block attached to them) has committed, and await it before answering.
   */
  async changed(agentIds: string[]): Promise<void> {
    if (!this.cache || agentIds.length === 0) return;
    const organizationId = this.tenant.organizationId;
    await this.cache.invalidate([...new Set(agentIds)].map((id) => keyOf(organizationId, id)));
  }

  /** Both reads at once from the cache (a miss loads both: the turn asks for the blocks right after the agent). */
  private async read(agentId: string): Promise<TurnReads | null> {
    const load = async (): Promise<TurnReads | null> => {
      const agent = await this.agents.find(agentId);
      return agent ? { agent, blocks: await this.blocks.ofAgent(agentId) } : null;
    };
    const found = await this.cache!.get(keyOf(this.tenant.organizationId, agentId), load);
    // A copy: callers may change what they get without touching the cached value.
    return found && structuredClone(found);
  }

  onModuleDestroy(): void {
    for (const stop of this.unsubscribe) stop();
  }
}

function keyOf(organizationId: string, agentId: string): string {
  return `${organizationId}:${agentId}`;
}
