import { IsIn, IsOptional } from 'class-validator';
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { IsIsoDateTime } from '../../common/validation.js';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { MEMORY_TYPES } from '../memory.types.js';
import type { MemoryType } from '../memory.types.js';
import { ScopeDto } from './create-memory.dto.js';

export const LIST_ORDERS = ['asc', 'desc'] as const;
export type ListOrder = (typeof LIST_ORDERS)[number];

/** Query of GET /memories: scope, type, creation time range, page. */
export class ListMemoriesQueryDto extends IntersectionType(PageQueryDto, ScopeDto) {
  @ApiProperty({ enum: MEMORY_TYPES, required: false })
  @IsOptional()
  @IsIn(MEMORY_TYPES)
  type?: MemoryType;

  /** Only memories created at or after this time. */
  @IsOptional()
  @IsIsoDateTime()
  createdAfter?: Date;

  /** Only memories created before this time. */
  @IsOptional()
  @IsIsoDateTime()
  createdBefore?: Date;

  /** `asc` (the default): oldest first; `desc`: newest first. A cursor continues in the order it was given in. */
  @ApiProperty({ enum: LIST_ORDERS, required: false, default: 'asc' })
  @IsOptional()
  @IsIn(LIST_ORDERS)
  order?: ListOrder;
}
