import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** `?limit=&cursor=` of every list. */
export class PageQueryDto {
  /** How many items to return (1–100). @example 20 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 20;

  /** The `nextCursor` of the previous page; omit for the first page. */
  @IsOptional()
  @IsUUID('all', { message: 'cursor must be a nextCursor value returned by this list' })
  cursor?: string;
}
