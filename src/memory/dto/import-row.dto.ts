import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsIsoDateTime } from '../../common/validation.js';
import { MemoryAttributesDto } from './create-memory.dto.js';

/** One line of an import (and of an export): a memory as given, with its own scope. */
export class ImportRowDto extends MemoryAttributesDto {
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  content: string;

  /** When it was first remembered (kept as given). */
  @IsOptional()
  @IsIsoDateTime()
  createdAt?: Date;

  /** Ignored on import (exports carry it for reference; imported memories get new ids). */
  @IsOptional()
  @IsString()
  id?: string;
}
