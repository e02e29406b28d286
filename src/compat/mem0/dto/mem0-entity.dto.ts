import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';
import { SCOPE_ID } from '../../../memory/dto/create-memory.dto.js';

const ID_MESSAGE = 'must be 1-200 printable characters without surrounding spaces';

/**
 * Mem0's entity ids: user, agent and run ids are our scope; `app_id` is kept as the metadata
 * key `app_id`. `org_id` and `project_id` (Mem0's own tenancy) are taken and ignored: the API
 * key names the organization here.
 */
export class Mem0EntityIdsDto {
  /** @example "alice" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `user_id ${ID_MESSAGE}` })
  user_id?: string;

  /** @example "support-bot" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `agent_id ${ID_MESSAGE}` })
  agent_id?: string;

  /** Kept as the metadata key `app_id`. @example "shop" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `app_id ${ID_MESSAGE}` })
  app_id?: string;

  /** @example "session-42" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `run_id ${ID_MESSAGE}` })
  run_id?: string;

  /** Ignored (the API key names the organization). */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  org_id?: string;

  /** Ignored (the API key names the organization). */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  project_id?: string;
}

/** `?page=&page_size=` of Mem0's numbered lists. */
export class Mem0PageQueryDto {
  /** 1-based page number. @example 1 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100000)
  page: number = 1;

  /** Items per page (1–1000). @example 100 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  page_size: number = 100;
}
