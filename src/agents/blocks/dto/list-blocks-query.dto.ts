import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../../common/pagination/page-query.dto.js';

export class ListBlocksQueryDto extends PageQueryDto {
  /** Only blocks with this label. */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  label?: string;
}
