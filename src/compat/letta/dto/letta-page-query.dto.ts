import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsUUID, Max, Min } from 'class-validator';

/** Letta's paging of lists: `limit`, and the id to start after (or end before), in `order`. */
export class LettaPageQueryDto {
  /** How many items to return (1–1000, default 50). @example 50 */
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 50;

  /** The id of the last item of the previous page: items after it, in `order`. */
  @IsOptional()
  @IsUUID('all', { message: 'after must be the id of an item of this list' })
  after?: string;

  /** The id of the first item of the next page: items before it, in `order` (with `before` alone, the `limit` items just before it). */
  @IsOptional()
  @IsUUID('all', { message: 'before must be the id of an item of this list' })
  before?: string;

  /** asc: oldest first (the default of blocks and tools, whose agent lists follow attachment order); desc: newest first (the default of agents and messages). */
  @IsOptional()
  @IsIn(['asc', 'desc'])
  order?: 'asc' | 'desc';

  /** Lists are ordered by creation time only: created_at is the one value taken (another is a 400). */
  @IsOptional()
  @IsIn(['created_at'], { message: 'order_by must be created_at: lists are ordered by creation time only' })
  order_by?: 'created_at';
}
