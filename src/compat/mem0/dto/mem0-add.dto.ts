import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { Mem0EntityIdsDto } from './mem0-entity.dto.js';

export class Mem0MessageDto {
  @ApiProperty({ enum: ['user', 'assistant', 'system'], example: 'user' })
  @IsIn(['user', 'assistant', 'system'])
  role: 'user' | 'assistant' | 'system';

  /** Text only (Mem0's image messages are not supported). @example "I moved to Berlin last month." */
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content: string;

  /** The speaker's name (ignored). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;
}

/**
 * `POST /v3/memories/add/` as Mem0's MemoryClient sends it. Honoured: messages, the entity ids,
 * metadata, infer, expiration_date, async_mode. Taken and ignored (documented in the README):
 * custom_instructions, agent_custom_instructions, custom_categories, timestamp, includes,
 * excludes, immutable, output_format, version, enable_graph, structured_data_schema.
 */
export class Mem0AddMemoryDto extends Mem0EntityIdsDto {
  /** The conversation to remember. */
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => Mem0MessageDto)
  messages: Mem0MessageDto[];

  /** Stored with each memory; searchable with filters. @example {"topic": "travel"} */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** Extract facts with the LLM (default true, when one is configured); false stores each message as given. */
  @IsOptional()
  @IsBoolean()
  infer?: boolean;

  /** Answer at once with an event id (`GET /v1/event/{event_id}/`) and do the work in a job. */
  @IsOptional()
  @IsBoolean()
  async_mode?: boolean;

  /** The day the memory expires (YYYY-MM-DD, or an ISO 8601 date-time). @example "2027-01-31" */
  @IsOptional()
  @IsString()
  @MaxLength(40)
  expiration_date?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  custom_instructions?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  agent_custom_instructions?: string;

  /** Ignored. */
  @ApiProperty({ required: false, type: 'array', items: { type: 'object', additionalProperties: true } })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  custom_categories?: Record<string, unknown>[];

  /** Ignored (memories are stamped with the time they are stored). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  timestamp?: number;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  includes?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  excludes?: string;

  /** Ignored. */
  @IsOptional()
  @IsBoolean()
  immutable?: boolean;

  /** Ignored (the answer always has `results`). */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  output_format?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  version?: string;

  /** Ignored (no graph memory). */
  @IsOptional()
  @IsBoolean()
  enable_graph?: boolean;

  /** Ignored. */
  @IsOptional()
  @IsObject()
  structured_data_schema?: Record<string, unknown>;
}
