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
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { IsIsoDateTime, OmittableNotNull } from '../../common/validation.js';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';

export const MESSAGE_ROLES = ['user', 'assistant', 'system', 'tool'] as const;
/** Scope ids are the application's own (an end user, an agent, a session): printable, no spaces at the ends. */
// eslint-disable-next-line no-control-regex -- control characters are what the pattern refuses
export const SCOPE_ID = /^[^\s\u0000-\u001f](.*[^\s\u0000-\u001f])?$/;
const SCOPE_MESSAGE = 'must be 1-200 printable characters without surrounding spaces';

export class MessageDto {
  @ApiProperty({ enum: MESSAGE_ROLES, example: 'user' })
  @IsIn(MESSAGE_ROLES)
  role: (typeof MESSAGE_ROLES)[number];

  /** @example "I moved to Berlin last month." */
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content: string;
}

export class ScopeDto {
  /** The end user the memory is about. @example "alice" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `userId ${SCOPE_MESSAGE}` })
  userId?: string;

  /** The agent the memory belongs to. @example "support-bot" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `agentId ${SCOPE_MESSAGE}` })
  agentId?: string;

  /** A run or session (a conversation). @example "session-42" */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: `runId ${SCOPE_MESSAGE}` })
  runId?: string;
}

/** What a memory is besides its text and scope: shared by adds and imports. */
export class MemoryAttributesDto extends ScopeDto {
  @ApiProperty({
    enum: MEMORY_TYPES,
    required: false,
    description: 'Default: semantic for extracted facts, episodic for text stored as given; working memories expire.',
  })
  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;

  /** Any JSON object; searchable with the filter language. @example {"topic": "health"} */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** 0 to 1, default 0.5. @example 0.8 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  importance?: number;

  /** When the memory stops being returned (working memories get a default TTL). */
  @IsOptional()
  @IsIsoDateTime()
  expiresAt?: Date;
}

export class CreateMemoryDto extends MemoryAttributesDto {
  /** A conversation to remember (give this or `content`). */
  @OmittableNotNull()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ValidateNested({ each: true })
  @Type(() => MessageDto)
  messages?: MessageDto[];

  /** A text to remember as it is (give this or `messages`). @example "Alice is allergic to peanuts." */
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content?: string;

  /** Extract facts with the LLM (when one is configured); false stores the text as given. */
  @IsOptional()
  @IsBoolean()
  infer?: boolean;

  /** Answer 202 with a job id at once and do the work in a worker (follow it at /jobs/{id} or as job_progress events). */
  @IsOptional()
  @IsBoolean()
  async?: boolean;
}
