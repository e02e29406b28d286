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
import { CreateBlockDto } from '../blocks/dto/create-block.dto.js';
import { AgentModelDto } from './agent-model.dto.js';

export class CreateAgentDto {
  /** @example "support-bot" */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** The system prompt. @example "You are a helpful support agent." */
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  system?: string;

  @IsOptional()
  @ValidateNested()
  @Type(() => AgentModelDto)
  model?: AgentModelDto;

  /** Tools of the registry the agent may call (besides its built-in memory tools). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'each of toolIds must be a UUID' })
  toolIds?: string[];

  /** New core memory blocks for the agent. Default: `persona` and `human`, empty (unless blockIds are given). */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => CreateBlockDto)
  blocks?: CreateBlockDto[];

  /** Existing (shared) blocks to attach. */
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each of blockIds must be a UUID' })
  blockIds?: string[];

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
