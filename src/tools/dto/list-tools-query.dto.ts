import { Transform } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { PageQueryDto } from '../../common/pagination/page-query.dto.js';
import { TOOL_NAME, TOOL_NAME_MESSAGE } from './create-tool.dto.js';

const splitTags = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((t) => t.trim())
        .filter((t) => t !== '')
    : Array.isArray(value)
      ? value
          .flatMap((v) => String(v).split(','))
          .map((t) => t.trim())
          .filter((t) => t !== '')
      : value;

export class ListToolsQueryDto extends PageQueryDto {
  /** Tags, the parameter repeated or comma-separated (`tags=math,finance`). @example ["math", "finance"] */
  @IsOptional()
  @Transform(splitTags)
  @ArrayMaxSize(50)
  @IsString({ each: true })
  tags?: string[];

  /** any: tools with at least one of the tags (default); all: tools with every one. */
  @IsOptional()
  @IsIn(['any', 'all'])
  match?: 'any' | 'all';

  /** Only the tool of this name. */
  @IsOptional()
  @Matches(TOOL_NAME, { message: TOOL_NAME_MESSAGE })
  name?: string;
}
