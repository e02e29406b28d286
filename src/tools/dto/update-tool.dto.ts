import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { OmittableNotNull } from '../../common/validation.js';
import {
  ALLOWED_HOST,
  MAX_MEMORY_LIMIT_MB,
  MAX_SOURCE_CHARS,
  MAX_TIMEOUT_MS,
  MIN_MEMORY_LIMIT_MB,
  TAG,
  TOOL_NAME,
  TOOL_NAME_MESSAGE,
} from './create-tool.dto.js';

/** The fields to change; the others stay. New source and parameters are checked as on create. */
export class UpdateToolDto {
  @OmittableNotNull()
  @IsString()
  @Matches(TOOL_NAME, { message: TOOL_NAME_MESSAGE })
  name?: string;

  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description?: string;

  @OmittableNotNull()
  @IsObject()
  parameters?: Record<string, unknown>;

  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_SOURCE_CHARS)
  sourceCode?: string;

  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each of tags must be 1-64 characters without commas or leading spaces' })
  tags?: string[];

  @OmittableNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_TIMEOUT_MS)
  timeoutMs?: number;

  @OmittableNotNull()
  @IsInt()
  @Min(MIN_MEMORY_LIMIT_MB)
  @Max(MAX_MEMORY_LIMIT_MB)
  memoryLimitMb?: number;

  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ALLOWED_HOST, {
    each: true,
    message: 'each of allowedHosts must be a host name, *.domain, or host:port (no scheme or path)',
  })
  allowedHosts?: string[];

  /** Replaces all of the tool's secrets; `null` removes them. */
  @IsOptional()
  @IsObject()
  secrets?: Record<string, string> | null;

  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;
}
