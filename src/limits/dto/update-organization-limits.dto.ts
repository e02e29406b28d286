import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** The largest value any limit takes (a PostgreSQL integer holds it with room). */
export const MAX_LIMIT = 1_000_000_000;

/**
 * The limits to change; a field left out stays as it is, `null` gives it back to the
 * installation default (ORG_MEMORIES_LIMIT, ORG_RATE_LIMIT_PER_MINUTE, ORG_TOOL_RUNS_PER_MINUTE).
 */
export class UpdateOrganizationLimitsDto {
  /** Memories the organization may store at once (deleted ones do not count); 0 refuses every add. @example 100000 */
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LIMIT)
  memoriesStored?: number | null;

  /** Requests per minute of the whole organization, all its keys and users together. @example 6000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  requestsPerMinute?: number | null;

  /** Sandboxed tool runs per minute of the organization (REST runs and agents' tool calls). @example 60 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_LIMIT)
  toolRunsPerMinute?: number | null;
}
