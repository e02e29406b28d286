import { IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { OmittableNotNull } from '../../common/validation.js';

/** The fields to change; the others stay as they are. `description` and `system` may be null (cleared). */
export class UpdateAgentDto {
  @OmittableNotNull()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(100000)
  system?: string | null;

  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;
}
