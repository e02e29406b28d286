import { IsIn, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';

export class UpdateMemoryDto {
  /** The new text (re-embedded; the old one stays in the history). */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content?: string;

  /** Replaces the metadata. */
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @ApiProperty({ enum: MEMORY_TYPES, required: false })
  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  importance?: number;
}
