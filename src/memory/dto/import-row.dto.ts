import { Type } from 'class-transformer';
import { IsDate, IsIn, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';
import { ScopeDto } from './create-memory.dto.js';

/** One line of an import (and of an export): a memory as given, with its own scope. */
export class ImportRowDto extends ScopeDto {
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content: string;

  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;

  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  importance?: number;

  /** When it was first remembered (kept as given). */
  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'createdAt must be an ISO 8601 date-time' })
  createdAt?: Date;

  @IsOptional()
  @Type(() => Date)
  @IsDate({ message: 'expiresAt must be an ISO 8601 date-time' })
  expiresAt?: Date;

  /** Ignored on import (exports carry it for reference; imported memories get new ids). */
  @IsOptional()
  @IsString()
  id?: string;
}
