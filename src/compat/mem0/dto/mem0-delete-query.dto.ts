import { IsIn, IsOptional } from 'class-validator';

/** `DELETE /v1/memories/{id}/?delete_linked=`: taken and ignored (memories are not linked in chains here). */
export class Mem0DeleteMemoryQueryDto {
  /** Ignored. */
  @IsOptional()
  @IsIn(['true', 'false'])
  delete_linked?: 'true' | 'false';
}
