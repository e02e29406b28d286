import { IsNumber, IsObject, IsString, MaxLength, MinLength, ValidateIf } from 'class-validator';
import { OmittableNotNull } from '../../../common/validation.js';

/** `PUT /v1/memories/{id}/`: at least one field. */
export class Mem0UpdateMemoryDto {
  /** The new text (the old one stays in the history). */
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(20000)
  text?: string;

  /** Replaces the metadata (its `app_id` is kept). */
  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;

  /** The day the memory expires (YYYY-MM-DD or ISO 8601); null: never. @example "2027-01-31" */
  @ValidateIf((_o: object, v: unknown) => v !== undefined && v !== null)
  @IsString()
  @MaxLength(40)
  expiration_date?: string | null;

  /** Ignored (a memory's creation time does not change). */
  @OmittableNotNull()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  timestamp?: number;
}
