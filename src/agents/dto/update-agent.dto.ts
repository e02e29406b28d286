import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { OmittableNotNull } from '../../common/validation.js';
import { AgentModelDto } from './agent-model.dto.js';

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

  /** Replaces the model settings as a whole ({} returns to the server's defaults). */
  @OmittableNotNull()
  @ValidateNested()
  @Type(() => AgentModelDto)
  model?: AgentModelDto;

  /** Replaces the agent's tools. */
  @OmittableNotNull()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'each of toolIds must be a UUID' })
  toolIds?: string[];

  @OmittableNotNull()
  @IsObject()
  metadata?: Record<string, unknown>;
}
