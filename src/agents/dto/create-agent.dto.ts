import { IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

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
  @IsObject()
  metadata?: Record<string, unknown>;
}
