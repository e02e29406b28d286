import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  Equals,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { IsIsoDateTime } from '../../../common/validation.js';
import { IgnoredField, NullAsMissing, QueryArray } from '../letta-validation.js';

/** A passage for the agent's archival memory: one memory of the agent (scope agentId = the agent's id), stored as given. */
export class LettaCreatePassageDto {
  /** @example "Alice's birthday is on 3 March." */
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text: string;

  /** Labels, stored in the memory's metadata as `tags` (searchable with `tags=`). */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  tags?: string[];

  @IgnoredField('a memory is dated when it is stored')
  created_at?: unknown;
}

/** GET …/archival-memory: the agent's memories, oldest first, a page at a time. */
export class LettaListPassagesQueryDto {
  /** 1–100, default 50. */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 50;

  /** The id of the last passage of the previous page (not with `search`, which answers the best matches). */
  @IsOptional()
  @IsUUID('all', { message: 'after must be the id of a passage of this agent' })
  after?: string;

  /** Finds passages by their text (as …/archival-memory/search) instead of listing them. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  search?: string;

  /** Not supported (a 400): passages are listed oldest first and paged forwards by `after`. */
  @Equals(undefined, { message: 'before is not supported: passages are listed oldest first; page them by after' })
  before?: never;
  /** Only ascending (oldest first) is supported; false is refused. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  @IsIn([true], { message: 'ascending=false is not supported: passages are listed oldest first' })
  ascending?: boolean;
}

/** GET …/archival-memory/search: AgentMem's hybrid search over the agent's memories. */
export class LettaSearchPassagesQueryDto {
  /** @example "birthday" */
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  query: string;

  /** How many results (1–100, default 10). */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  top_k?: number;

  /** Only passages with these tags. */
  @IsOptional()
  @QueryArray()
  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  @MaxLength(100, { each: true })
  tags?: string[];

  /** any (default): a passage with one of the tags; all: with every one. */
  @IsOptional()
  @IsIn(['any', 'all'])
  tag_match_mode?: 'any' | 'all';

  /** Only passages stored at or after this time (ISO 8601). */
  @IsOptional()
  @IsIsoDateTime()
  start_datetime?: Date;

  /** Only passages stored at or before this time (ISO 8601). */
  @IsOptional()
  @IsIsoDateTime()
  end_datetime?: Date;
}

/** A passage as Letta's clients read it. */
export class LettaPassageDto {
  id: string;
  text: string;
  tags: string[];
  metadata: Record<string, unknown>;
  /** Always null: embeddings stay inside the server. */
  embedding: number[] | null;
  /** Always null. */
  embedding_config: Record<string, unknown> | null;
  /** Always null: the agent's memories are its archive. */
  archive_id: string | null;
  created_at: string;
  updated_at: string;
}

export class LettaSearchResultDto {
  id: string;
  content: string;
  /** When it was stored (ISO 8601). */
  timestamp: string;
  tags: string[];
}

export class LettaSearchResponseDto {
  count: number;
  results: LettaSearchResultDto[];
}
