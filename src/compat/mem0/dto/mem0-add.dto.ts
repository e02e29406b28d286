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
  IsString,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';
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
  @OmittableNotNull()
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
  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** Extract facts with the LLM (default true, when one is configured); false stores each message as given. */
  @OmittableNotNull()
  @IsBoolean()
  infer?: boolean;

  /** Answer at once with an event id (`GET /v1/event/{event_id}/`) and do the work in a job. */
  @OmittableNotNull()
  @IsBoolean()
  async_mode?: boolean;

  /** The day the memory expires (YYYY-MM-DD, or an ISO 8601 date-time). @example "2027-01-31" */
  @OmittableNotNull()
  @IsString()
  @MaxLength(40)
  expiration_date?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20000)
  custom_instructions?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20000)
  agent_custom_instructions?: string;

  /** Ignored. */
  @ApiProperty({ required: false, type: 'array', items: { type: 'object', additionalProperties: true } })
  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  custom_categories?: Record<string, unknown>[];

  /** Ignored (memories are stamped with the time they are stored). */
  @OmittableNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  timestamp?: number;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(2000)
  includes?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(2000)
  excludes?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsBoolean()
  immutable?: boolean;

  /** Ignored (the answer always has `results`). */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20)
  output_format?: string;

  /** Ignored. */
  @OmittableNotNull()
  @IsString()
  @MaxLength(20)
  version?: string;

  /** Ignored (no graph memory). */
  @OmittableNotNull()
  @IsBoolean()
  enable_graph?: boolean;

  /** Ignored. */
  @OmittableNotNull()
  @IsObject()
  structured_data_schema?: Record<string, unknown>;
}
