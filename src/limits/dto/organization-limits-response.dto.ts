import type { OrganizationLimits } from '../entities/organization-limits.entity.js';

/** The limits that apply now, own or default; null: no limit. */
export class EffectiveLimitsDto {
  memoriesStored: number | null;
  requestsPerMinute: number | null;
  toolRunsPerMinute: number | null;
  /** Requests per minute of each API key, and of each user with a token (RATE_LIMIT_PER_MINUTE). */
  requestsPerMinutePerKey: number | null;
}

/** An organization's limits: its own (null: the installation default) and those in force. */
export class OrganizationLimitsResponseDto {
  organizationId: string;
  /** Memories the organization may store; null: the installation default. */
  memoriesStored: number | null;
  /** Requests per minute of the whole organization; null: the installation default. */
  requestsPerMinute: number | null;
  /** Sandboxed tool runs per minute; null: the installation default. */
  toolRunsPerMinute: number | null;
  effective: EffectiveLimitsDto;
  /** When its own limits were last set (null: never). */
  updatedAt: Date | null;

  static from(
    this: void,
    organizationId: string,
    own: OrganizationLimits | null,
    effective: EffectiveLimitsDto,
  ): OrganizationLimitsResponseDto {
    return {
      organizationId,
      memoriesStored: own?.memoriesStored ?? null,
      requestsPerMinute: own?.requestsPerMinute ?? null,
      toolRunsPerMinute: own?.toolRunsPerMinute ?? null,
      effective,
      updatedAt: own?.updatedAt ?? null,
    };
  }
}
