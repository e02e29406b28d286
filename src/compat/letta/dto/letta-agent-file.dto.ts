import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';

const FLAG = ['true', 'false'] as const;
type Flag = (typeof FLAG)[number];

/** `GET /v1/agents/{id}/export`: an agent file of the agent, with its conversation unless scrubbed. */
export class LettaExportAgentQueryDto {
  /** Leave the conversation out (share the agent's setup only). */
  @ApiProperty({ enum: FLAG, required: false })
  @IsOptional()
  @IsIn(FLAG)
  scrub_messages?: Flag;

  /** Ignored (the file is always the multi-entity layout). */
  @ApiProperty({ enum: FLAG, required: false })
  @IsOptional()
  @IsIn(FLAG)
  use_legacy_format?: Flag;

  /** Ignored (one conversation per agent here). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  conversation_id?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(20)
  max_steps?: string;
}

/** The form fields of `POST /v1/agents/import` beside the file (multipart form values are text). */
export class LettaImportAgentDto {
  /** The agent's name instead of the file's. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /** A model handle ("provider/model") instead of the file's. */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  model?: string;

  /** Import without the conversation. */
  @ApiProperty({ enum: FLAG, required: false })
  @IsOptional()
  @IsIn(FLAG)
  strip_messages?: Flag;

  /** Replace the source of the organization's tools that have the name of a tool in the file (default: keep them and use them). */
  @ApiProperty({ enum: FLAG, required: false })
  @IsOptional()
  @IsIn(FLAG)
  override_existing_tools?: Flag;

  /** Letta's older name for `name`. */
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  override_name?: string;

  /** Letta's older name for `model`. */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  override_model_handle?: string;

  /** Ignored. */
  @ApiProperty({ enum: FLAG, required: false })
  @IsOptional()
  @IsIn(FLAG)
  append_copy_suffix?: Flag;

  /** Ignored (the server's embedder embeds everything). */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  embedding?: string;

  /** Ignored. */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  override_embedding_handle?: string;

  /** Ignored (set tool secrets on the tools). */
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  secrets?: string;

  /** Ignored (set tool secrets on the tools). */
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  env_vars_json?: string;

  /** Ignored (the API key names the organization). */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  project_id?: string;
}

export class LettaImportAgentResponseDto {
  /** The ids of the agents the file made. */
  agent_ids: string[];
}
