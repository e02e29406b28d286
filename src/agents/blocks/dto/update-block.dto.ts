import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';
import { BLOCK_LABEL, MAX_BLOCK_LIMIT } from './create-block.dto.js';

/** The fields to change; the others stay. A value over the (new) limit is refused, nothing changes. */
export class UpdateBlockDto {
  @OmittableNotNull()
  @IsString()
  @Matches(BLOCK_LABEL, {
    message: 'label must start with a letter or underscore and hold at most 50 letters, digits, _ or -',
  })
  label?: string;

  @OmittableNotNull()
  @IsString()
  @MaxLength(MAX_BLOCK_LIMIT)
  value?: string;

  @OmittableNotNull()
  @IsInt()
  @Min(1)
  @Max(MAX_BLOCK_LIMIT)
  limit?: number;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @OmittableNotNull()
  @IsBoolean()
  readOnly?: boolean;

  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;
}
