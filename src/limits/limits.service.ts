import { Injectable, Logger } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';
import { RateCounter, secondsLeft } from '../common/rate-counter.js';
import { AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { EffectiveLimitsDto } from './dto/organization-limits-response.dto.js';
import { OrganizationLimitsResponseDto } from './dto/organization-limits-response.dto.js';
import type { UpdateOrganizationLimitsDto } from './dto/update-organization-limits.dto.js';
import type { OrganizationLimits } from './entities/organization-limits.entity.js';
import { LimitError, LimitErrorCode } from './limits.errors.js';
import type { LimitDetails } from './limits.errors.js';
import { LIMITS_CHANGED, limitsChanged } from './limits.events.js';
import { LimitsRepository } from './limits.repository.js';
import { MemoryCounts, NO_RESERVATION } from './memory-counts.js';
import type { MemoryReservation } from './memory-counts.js';
import { rateLimitHeaders, WINDOW_SECONDS, whose } from './rate-windows.js';
import type { RateWindow } from './rate-windows.js';

/**
 * How long a process keeps an organization's limits before reading them again. Setting them
 * drops the copy of every process at once (an event on the bus); this bounds it should the
 * event be lost.
 */
const LIMITS_CACHE_MS = 10_000;
const MAX_CACHED = 10_000;
const WINDOW_MS = WINDOW_SECONDS * 1000;

/** What the request limits decided: the RateLimit-* headers, and the refusal if any. */
export interface RequestAdmission {
  headers: Record<string, string>;
  refused: LimitError | null;
}

/**
 * Limits per key and per organization: requests per minute (per API key or user, and per
 * organization), tool runs per minute and memories stored per organization. Rates are fixed
 * one-minute windows in RateCounter (Redis across replicas, or in process); an organization's
 * own limits live in organization_limits, set by the installation owner (an owner of its first
 * organization), and fall back to the ORG_* defaults.
 */
@Injectable()
export class LimitsService implements OnModuleDestroy {
  private readonly logger = new Logger('Limits');
  private readonly cached = new Map<string, { at: number; limits: Promise<OrganizationLimits | null> }>();
  private readonly memoryCounts = new MemoryCounts();
  private readonly unsubscribe: () => void;

  constructor(
    private readonly config: AppConfig,
    private readonly counter: RateCounter,
    private readonly repository: LimitsRepository,
    private readonly auth: AuthService,
    private readonly tenant: TenantContext,
    private readonly bus: EventBus,
    private readonly metrics: MetricsService,
  ) {
    this.unsubscribe = bus.subscribe((event) => this.onEvent(event));
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  /**
   * Counts an authenticated request against its caller's limit (RATE_LIMIT_PER_MINUTE, per API
   * key, or per user with a token) and then its organization's. A request its caller's limit
   * refuses does not count against the organization: one key hammering at its limit cannot use
   * up what the organization's other keys have.
   */
  async admitRequest(principal: Principal): Promise<RequestAdmission> {
    const windows: RateWindow[] = [];
    const perCaller = this.config.RATE_LIMIT_PER_MINUTE;
    if (perCaller > 0) {
      const of = principal.kind === 'api_key' ? 'apiKey' : 'user';
      const hit = await this.counter.hit(`req:${of}:${principal.apiKeyId ?? principal.userId}`, WINDOW_MS);
      const window: RateWindow = { of, limit: perCaller, ...hit };
      windows.push(window);
      if (hit.count > perCaller) return this.refuseRequest(windows, window);
    }
    const perOrganization = (await this.effective(principal.organizationId)).requestsPerMinute;
    if (perOrganization !== null) {
      const hit = await this.counter.hit(`req:org:${principal.organizationId}`, WINDOW_MS);
      const window: RateWindow = { of: 'organization', limit: perOrganization, ...hit };
      windows.push(window);
      if (hit.count > perOrganization) return this.refuseRequest(windows, window);
    }
    return { headers: rateLimitHeaders(windows), refused: null };
  }

  /** Counts a sandboxed tool run of the caller's organization; 429 naming the limit past it. */
  async admitToolRun(): Promise<void> {
    const organizationId = this.tenant.organizationId;
    const limit = (await this.effective(organizationId)).toolRunsPerMinute;
    if (limit === null) return;
    const hit = await this.counter.hit(`tools:org:${organizationId}`, WINDOW_MS);
    if (hit.count <= limit) return;
    const retryAfter = secondsLeft(hit.resetInMs);
    this.metrics.rateLimited.inc({ limit: 'tool_runs_per_minute' });
    throw new LimitError(
      LimitErrorCode.ToolRunsPerMinute,
      `Limit reached: tool runs per minute of the organization (${limit}); retry in ${retryAfter} s`,
      { limit: 'toolRunsPerMinute', of: 'organization', value: limit, retryAfter },
    );
  }

  /**
   * Holds room for `adding` memories of the caller's organization until released (after the
   * add stored them, or failed); refuses the add (403 naming the limit) if they would take the
   * organization past its memories-stored limit. Costs nothing without a limit.
   */
  async reserveMemories(adding: number, countLive: () => Promise<number>): Promise<MemoryReservation> {
    const organizationId = this.tenant.organizationId;
    const limit = (await this.effective(organizationId)).memoriesStored;
    if (limit === null) return NO_RESERVATION;
    const room = await this.memoryCounts.reserve(organizationId, adding, limit, countLive);
    if (!('stored' in room)) return room;
    this.metrics.rateLimited.inc({ limit: 'memories_stored' });
    throw new LimitError(
      LimitErrorCode.MemoriesStored,
      `Limit reached: memories stored of the organization (${limit}); it stores ${room.stored} and this would add ${adding}. Delete memories, or ask the installation owner for a higher limit`,
      { limit: 'memoriesStored', of: 'organization', value: limit },
    );
  }

  /** An organization's limits: its admins read their own; the installation owner reads any. */
  async read(organizationId: string): Promise<OrganizationLimitsResponseDto> {
    const principal = this.tenant.principal;
    if (principal.organizationId !== organizationId && !(await this.auth.isInstallationOwner(principal)))
      throw CommonError.notFound('organization', organizationId);
    if (!(await this.auth.organizationExists(organizationId)))
      throw CommonError.notFound('organization', organizationId);
    const own = await this.repository.findAcrossTenants(organizationId);
    return OrganizationLimitsResponseDto.from(organizationId, own, this.effectiveOf(own));
  }

  /**
   * Sets an organization's limits (the installation owner only): fields left out stay, null
   * returns one to the installation default. Every process applies them at once.
   */
  async update(organizationId: string, input: UpdateOrganizationLimitsDto): Promise<OrganizationLimitsResponseDto> {
    const principal = this.tenant.principal;
    if (!(await this.auth.isInstallationOwner(principal))) {
      // Another organization's limits are not even there for them.
      if (principal.organizationId !== organizationId) throw CommonError.notFound('organization', organizationId);
      throw new LimitError(
        LimitErrorCode.NotInstallationOwner,
        "Only the installation owner (an owner of its first organization) sets limits; your organization's admins can read them",
      );
    }
    if (!(await this.auth.organizationExists(organizationId)))
      throw CommonError.notFound('organization', organizationId);
    const current = await this.repository.findAcrossTenants(organizationId);
    const pick = (field: 'memoriesStored' | 'requestsPerMinute' | 'toolRunsPerMinute') =>
      input[field] !== undefined ? input[field] : (current?.[field] ?? null);
    const limits: OrganizationLimits = {
      organizationId,
      memoriesStored: pick('memoriesStored'),
      requestsPerMinute: pick('requestsPerMinute'),
      toolRunsPerMinute: pick('toolRunsPerMinute'),
      updatedBy: this.tenant.actor,
      updatedAt: new Date(),
    };
    await this.repository.saveAcrossTenants(limits);
    this.cached.delete(organizationId);
    this.bus.publish([limitsChanged(organizationId)]);
    const { memoriesStored, requestsPerMinute, toolRunsPerMinute } = limits;
    this.logger.log(
      { organizationId, by: limits.updatedBy, memoriesStored, requestsPerMinute, toolRunsPerMinute },
      'organization limits set',
    );
    return OrganizationLimitsResponseDto.from(organizationId, limits, this.effectiveOf(limits));
  }

  /** The limits in force for an organization (its own, else the defaults), cached briefly. */
  private async effective(organizationId: string): Promise<EffectiveLimitsDto> {
    const now = Date.now();
    let entry = this.cached.get(organizationId);
    if (!entry || now - entry.at > LIMITS_CACHE_MS) {
      if (this.cached.size >= MAX_CACHED) this.cached.delete(this.cached.keys().next().value as string);
      const limits = this.repository.findAcrossTenants(organizationId);
      entry = { at: now, limits };
      this.cached.set(organizationId, entry);
      // A failed read is not kept: the next request reads again.
      limits.catch(() => {
        if (this.cached.get(organizationId) === entry) this.cached.delete(organizationId);
      });
    }
    return this.effectiveOf(await entry.limits);
  }

  private effectiveOf(own: OrganizationLimits | null): EffectiveLimitsDto {
    const orDefault = (value: number | null | undefined, fallback: number) => value ?? (fallback > 0 ? fallback : null);
    return {
      memoriesStored: orDefault(own?.memoriesStored, this.config.ORG_MEMORIES_LIMIT),
      requestsPerMinute: orDefault(own?.requestsPerMinute, this.config.ORG_RATE_LIMIT_PER_MINUTE),
      toolRunsPerMinute: orDefault(own?.toolRunsPerMinute, this.config.ORG_TOOL_RUNS_PER_MINUTE),
      requestsPerMinutePerKey: this.config.RATE_LIMIT_PER_MINUTE > 0 ? this.config.RATE_LIMIT_PER_MINUTE : null,
    };
  }

  private refuseRequest(windows: RateWindow[], hit: RateWindow): RequestAdmission {
    const retryAfter = secondsLeft(hit.resetInMs);
    const details: LimitDetails = { limit: 'requestsPerMinute', of: hit.of, value: hit.limit, retryAfter };
    this.metrics.rateLimited.inc({ limit: `requests_per_minute_${hit.of}` });
    return {
      headers: rateLimitHeaders(windows, hit),
      refused: new LimitError(
        LimitErrorCode.RequestsPerMinute,
        `Too many requests: limit reached of requests per minute of ${whose(hit.of)} (${hit.limit}); retry in ${retryAfter} s`,
        details,
      ),
    };
  }

  private onEvent(event: DomainEvent): void {
    switch (event.name) {
      case LIMITS_CHANGED:
        this.cached.delete(event.organizationId);
        return;
      case 'memory.created':
      case 'memory.deleted':
        this.memoryCounts.note(
          event.organizationId,
          event.name === 'memory.created' ? 1 : -1,
          event.payload.memoryId,
          Date.parse(event.occurredAt),
        );
        return;
      default:
        return;
    }
  }
}
