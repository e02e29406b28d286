import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';

export const AGENT_PROVIDERS = ['openai', 'openai-compatible', 'anthropic', 'google'] as const;

/** An agent's model settings; each missing field takes the server's default (LLM_*, AGENT_*). */
export class AgentModelDto {
  /** A provider the server has credentials for (LLM_PROVIDER, or OPENAI_API_KEY / ANTHROPIC_API_KEY / GOOGLE_API_KEY). */
  @ApiProperty({ enum: AGENT_PROVIDERS, required: false })
  @IsOptional()
  @IsIn(AGENT_PROVIDERS)
  provider?: (typeof AGENT_PROVIDERS)[number];

  /** The provider's model name. @example "gpt-4o-mini" */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model?: string;

  /** @example 0.7 */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(2)
  temperature?: number;

  /** Most tokens of one reply (reserved in the window). @example 1024 */
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(1000000)
  maxTokens?: number;

  /** Tokens the prompt and the reply may take together; older messages are left out to stay within it. @example 32000 */
  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(10000000)
  contextWindow?: number;

  /** Most LLM calls (rounds of tool calls) in one turn. @example 8 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(50)
  maxSteps?: number;
}
