import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsNumber,
  IsObject,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';

const FILTERS_DOC =
  'Mem0 filters: `{"AND": [{"user_id": "alice"}, {"created_at": {"gte": "2026-01-01"}}]}`, `OR`, `NOT` (over a list), ' +
  'fields user_id, agent_id, run_id, app_id, created_at, updated_at, memory, keywords, categories and `metadata: {key: value}`; ' +
  'operators eq, ne, in, nin, gt, gte, lt, lte, contains, icontains; `"*"` for any value.';

/** What the list and search bodies share. `org_id`, `project_id` are ignored (the API key names the organization). */
class Mem0FilteredDto {
  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    description: FILTERS_DOC,
    example: { AND: [{ user_id: 'alice' }] },
  })
  @OmittableNotNull()
  @IsObject()
  filters?: Record<string, unknown>;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  org_id?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(200)
  project_id?: string;

  /** Ignored (expired memories are never returned). */
  @OmittableNotNull()
  @IsBoolean()
  show_expired?: boolean;

  /** Ignored (memories are not versioned in chains). */
  @OmittableNotNull()
  @IsBoolean()
  latest_only?: boolean;

  /** Ignored (every field is returned). */
  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  fields?: string[];

  /** Only memories in any of these categories (the metadata key `categories`, a list). */
  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  categories?: string[];
}

/** `POST /v3/memories/` (getAll): a numbered page of the memories the filters select. */
export class Mem0ListMemoriesDto extends Mem0FilteredDto {
  /** Only memories created on or after this date. @example "2026-01-01" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(40)
  start_date?: string;

  /** Only memories created before this date. @example "2026-12-31" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(40)
  end_date?: string;
}

/**
 * `POST /v3/memories/search/`. Honoured: query, filters, top_k, threshold, rerank,
 * keyword_search (full-text only), metadata. Others are taken and ignored.
 */
export class Mem0SearchMemoriesDto extends Mem0FilteredDto {
  /** @example "Where does Alice live?" */
  @Transform(({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value))
  @IsString()
  @MinLength(1, { message: 'query must not be empty' })
  @MaxLength(2000)
  query: string;

  /** How many results (1–100, default 10). @example 10 */
  @OmittableNotNull()
  @IsInt()
  @Min(1)
  @Max(100)
  top_k: number = 10;

  /** Drop results scoring below this (scores run 0–1). */
  @OmittableNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  threshold?: number;

  /** Let the LLM reorder the results (needs an LLM). */
  @OmittableNotNull()
  @IsBoolean()
  rerank?: boolean;

  /** Full-text search only. */
  @OmittableNotNull()
  @IsBoolean()
  keyword_search?: boolean;

  /** Metadata that must match (Mem0's older search form; ANDed with filters). */
  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20)
  output_format?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20)
  version?: string;

  /** Ignored (a date string or a Unix time). */
  @ValidateIf((_object: object, value: unknown) => value !== undefined && typeof value !== 'number')
  @IsString()
  @MaxLength(40)
  reference_date?: string | number;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(100)
  source?: string;
}
