import { IntersectionType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { ScopeDto } from '../../../memory/dto/create-memory.dto.js';

/** A page of the log, optionally of one end user (`userId`) or run (`runId`). */
export class ListMessagesQueryDto extends IntersectionType(
  PageQueryDto,
  PickType(ScopeDto, ['userId', 'runId'] as const),
) {
  /** asc: oldest first (default); desc: newest first. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}
