import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';
import { SCOPE_ID } from '../../../memory/dto/create-memory.dto.js';

export class ListMessagesQueryDto extends PageQueryDto {
  /** Only the conversation with this end user. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: 'userId must be 1-200 printable characters without surrounding spaces' })
  userId?: string;

  /** Only messages of this run. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(SCOPE_ID, { message: 'runId must be 1-200 printable characters without surrounding spaces' })
  runId?: string;

  /** asc: oldest first (default); desc: newest first. */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order: 'asc' | 'desc' = 'asc';
}
