import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';

export class Mem0BatchItemDto {
  @IsUUID('all', { message: 'memory_id must be a memory id (a UUID)' })
  memory_id: string;

  /** The new text (batch update). */
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text?: string;
}

/** `PUT|DELETE /v1/batch/`: up to 1,000 memories, all of the caller's organization. */
export class Mem0BatchDto {
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => Mem0BatchItemDto)
  memories: Mem0BatchItemDto[];
}
