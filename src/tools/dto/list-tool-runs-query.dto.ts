import { IsIn, IsOptional } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';

export class ListToolRunsQueryDto extends PageQueryDto {
  /** Only runs that ended so. */
  @IsOptional()
  @IsIn(['ok', 'error', 'timeout'])
  status?: 'ok' | 'error' | 'timeout';
}
