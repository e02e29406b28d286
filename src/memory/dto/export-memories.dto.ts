import { IsIn, IsOptional } from 'class-validator';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';
import { ScopeDto } from './create-memory.dto.js';

/** Which memories to export: a scope and/or a type; nothing means every memory of your organization. */
export class ExportMemoriesDto extends ScopeDto {
  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;
}
