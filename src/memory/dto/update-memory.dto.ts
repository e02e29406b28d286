import { IsIn, IsNumber, IsObject, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { IsIsoDateTime, OmittableNotNull } from '../../common/validation.js';
import { ApiProperty } from '@nestjs/swagger';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';

/** The fields to change; each may be left out, none may be null. */
export class UpdateMemoryDto {
  /** The new text (re-embedded; the old one stays in the history). */
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content?: string;

  /** Replaces the metadata. */
  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiProperty({ enum: MEMORY_TYPES, required: false })
  @OmittableNotNull()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;

  @OmittableNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  importance?: number;

  /** When the memory stops being returned (in the future). */
  @OmittableNotNull()
  @IsIsoDateTime()
  expiresAt?: Date | null; // null (no expiry) only from the compat APIs: the validator refuses it over REST
}
