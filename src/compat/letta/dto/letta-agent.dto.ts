import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { TAG } from '../../../tools/dto/create-tool.dto.js';
import { IgnoredField, NullAsMissing, QueryArray } from '../letta-validation.js';
import { LettaBlockDto, LettaCreateBlockDto } from './letta-block.dto.js';
import { LettaPageQueryDto } from './letta-page-query.dto.js';
import { LettaToolDto } from './letta-tool.dto.js';

const TAG_MESSAGE = 'each of tags must be 1-64 characters without commas or leading spaces';

/** Fields of Letta's agent that AgentMem has no place for: accepted so clients keep working, and ignored. */
class LettaAgentExtrasDto {
  @IgnoredField('every agent is one kind: the AgentMem agent loop (memory tools built in)')
  agent_type?: unknown;
  @IgnoredField('use `model` ("provider/model-name"), `context_window_limit` and `max_tokens`')
  llm_config?: unknown;
  @IgnoredField('use `model`, `context_window_limit` and `max_tokens`')
  model_settings?: unknown;
  @IgnoredField("memories are embedded by the server's one embedder")
  embedding?: unknown;
  @IgnoredField("memories are embedded by the server's one embedder")
  embedding_config?: unknown;
  @IgnoredField("memories are embedded by the server's one embedder")
  embedding_chunk_size?: unknown;
  @IgnoredField('the memory tools are always offered')
  include_base_tools?: unknown;
  @IgnoredField('there are no tool rules')
  include_base_tool_rules?: unknown;
  @IgnoredField('there are no tool rules')
  tool_rules?: unknown;
  @IgnoredField('memory extraction runs after each turn in a worker instead')
  enable_sleeptime?: unknown;
  @IgnoredField('the model is not asked for reasoning')
  reasoning?: unknown;
  @IgnoredField('the model is not asked for reasoning')
  enable_reasoner?: unknown;
  @IgnoredField('the model is not asked for reasoning')
  max_reasoning_tokens?: unknown;
  @IgnoredField('tool calls of a step run one after another')
  parallel_tool_calls?: unknown;
  @IgnoredField('replies are text')
  response_format?: unknown;
  @IgnoredField('older messages leave the prompt when the context window is full')
  message_buffer_autoclear?: unknown;
  @IgnoredField('older messages leave the prompt when the context window is full')
  compaction_settings?: unknown;
  @IgnoredField('a tool keeps its secrets itself (POST /api/v1/tools)')
  secrets?: unknown;
  @IgnoredField('a tool keeps its secrets itself (POST /api/v1/tools)')
  tool_exec_environment_variables?: unknown;
  @IgnoredField('dates in the prompt are UTC')
  timezone?: unknown;
  @IgnoredField('files and folders are not supported')
  folder_ids?: unknown;
  @IgnoredField('files and folders are not supported')
  source_ids?: unknown;
  @IgnoredField('files and folders are not supported')
  max_files_open?: unknown;
  @IgnoredField('files and folders are not supported')
  per_file_view_window_char_limit?: unknown;
  @IgnoredField('files and folders are not supported')
  include_default_source?: unknown;
  @IgnoredField('identities are not supported')
  identity_ids?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  project_id?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  template_id?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  base_template_id?: unknown;
  @IgnoredField('every agent is listed')
  hidden?: unknown;
}

/** What creating and changing an agent share (Letta's CreateAgentRequest and UpdateAgent). */
export class LettaAgentSettingsDto extends LettaAgentExtrasDto {
  /** Default: `agent-` and a few random characters. @example "support-bot" */
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  /**
   * "provider/model-name", e.g. "openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5",
   * "google_ai/gemini-2.5-flash"; local providers (ollama, vllm, lmstudio, …) mean the server's
   * OpenAI-compatible endpoint (LLM_BASE_URL). Default: the server's model.
   */
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  model?: string;

  /** Tokens the prompt and reply may take together (default: the server's AGENT_CONTEXT_WINDOW). */
  @NullAsMissing()
  @IsOptional()
  @IsInt()
  @Min(1024)
  @Max(10000000)
  context_window_limit?: number;

  /** Most tokens of one reply (default: the server's AGENT_MAX_TOKENS). */
  @NullAsMissing()
  @IsOptional()
  @IsInt()
  @Min(16)
  @Max(1000000)
  max_tokens?: number;

  /** Existing (shared) blocks to attach; on update the agent's blocks become exactly these (the others are detached and kept). */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsUUID('all', { each: true, message: 'each of block_ids must be the id of a block' })
  block_ids?: string[];

  /** Tools of the registry to attach, by id; on update they replace the agent's tools. */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true, message: 'each of tool_ids must be the id of a tool' })
  tool_ids?: string[];

  /** Labels to find agents by. Stored in the agent's metadata under `lettaTags`. @example ["support"] */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: TAG_MESSAGE })
  tags?: string[];

  /** On update it replaces the metadata (the tags stay). */
  @NullAsMissing()
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/**
 * A new agent (Letta's CreateAgentRequest). Honoured: name, description, system, model,
 * context_window_limit, max_tokens, memory_blocks, block_ids, tool_ids, tools (names), tags,
 * metadata. The other fields Letta defines are accepted and ignored (each says why).
 */
export class LettaCreateAgentDto extends LettaAgentSettingsDto {
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** The system prompt (default: AgentMem's). */
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  system?: string;

  /** New core memory blocks. Default (without block_ids either): empty `persona` and `human`. */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @ValidateNested({ each: true })
  @Type(() => LettaCreateBlockDto)
  memory_blocks?: LettaCreateBlockDto[];

  /** Tools to attach by name. Letta's built-in tool names (send_message, core_memory_*, archival_memory_*, memory_*, conversation_search) are skipped: AgentMem's memory tools are always there. */
  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true, message: 'each of tools must be the name of a tool (not empty)' })
  @MaxLength(200, { each: true, message: 'each of tools must be at most 200 characters' })
  tools?: string[];

  @IgnoredField('a conversation starts with the first message sent')
  initial_message_sequence?: unknown;
  @IgnoredField('the system prompt is used as given')
  memory_variables?: unknown;
  @IgnoredField('templates are a Letta Cloud feature')
  from_template?: unknown;
  @IgnoredField('templates are a Letta Cloud feature')
  template?: unknown;
  @IgnoredField('projects are a Letta Cloud feature')
  project?: unknown;
}

/** The fields of an agent to change (Letta's UpdateAgent); the others stay. */
export class LettaUpdateAgentDto extends LettaAgentSettingsDto {
  /** null clears it. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  /** null returns to AgentMem's system prompt. */
  @IsOptional()
  @IsString()
  @MaxLength(100000)
  system?: string | null;

  @IgnoredField('the prompt is built for each turn from the newest messages')
  message_ids?: unknown;
  @IgnoredField('run statistics are not kept on the agent')
  last_run_completion?: unknown;
  @IgnoredField('run statistics are not kept on the agent')
  last_run_duration_ms?: unknown;
  @IgnoredField('run statistics are not kept on the agent')
  last_stop_reason?: unknown;
}

/** GET /v1/agents/: by name and tags, and paging (`before` and `after` in either `order`). */
export class LettaListAgentsQueryDto extends LettaPageQueryDto {
  /** Only agents of this name. */
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  /** Only agents with any of these tags (all of them with `match_all_tags=true`). */
  @IsOptional()
  @QueryArray()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  tags?: string[];

  /** true: agents with every one of `tags`; false (default): with any. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  match_all_tags?: boolean;
  /** Letta's older switch for `order`: true is oldest first (asc), false newest first (desc). Contradicting `order` is a 400. */
  @IsOptional()
  @Transform(({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  ascending?: boolean;
  @IgnoredField('blocks and tools are always included')
  include?: unknown;
  @IgnoredField('blocks and tools are always included')
  include_relationships?: unknown;
  @IgnoredField('not supported; filter by name or tags')
  query_text?: unknown;
  /** Letta's older name for `order_by`: created_at is the one value taken (another is a 400). */
  @IsOptional()
  @IsIn(['created_at'], { message: 'sort_by must be created_at: agents are ordered by creation time only' })
  sort_by?: 'created_at';
  @IgnoredField('run statistics are not kept on the agent')
  last_stop_reason?: unknown;
  @IgnoredField('identities are not supported')
  identity_id?: unknown;
  @IgnoredField('identities are not supported')
  identifier_keys?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  project_id?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  template_id?: unknown;
  @IgnoredField('projects, templates and deployments are Letta Cloud features')
  base_template_id?: unknown;
  @IgnoredField('not recorded')
  created_by_id?: unknown;
}

/** GET /v1/agents/{id}: Letta's `include` options change nothing (everything is included). */
export class LettaGetAgentQueryDto {
  @IgnoredField('blocks and tools are always included')
  include?: unknown;
  @IgnoredField('blocks and tools are always included')
  include_relationships?: unknown;
}

/** Letta's llm_config, as far as AgentMem knows it. */
export class LettaLlmConfigDto {
  /** @example "gpt-4o-mini" */
  model: string;
  /** openai, anthropic or google_ai. */
  model_endpoint_type: string;
  /** "provider/model-name". */
  handle: string;
  context_window: number;
  max_tokens: number;
  temperature: number | null;
}

export class LettaMemoryDto {
  blocks: LettaBlockDto[];
}

/** An agent as Letta's clients read it (AgentState). */
export class LettaAgentDto {
  id: string;
  name: string;
  description: string | null;
  /** The system prompt ("" for AgentMem's own). */
  system: string;
  /** Always letta_v1_agent: AgentMem's loop. */
  agent_type: string;
  /** "provider/model-name". */
  model: string;
  llm_config: LettaLlmConfigDto;
  /** Always null: the server's embedder is used. */
  embedding: string | null;
  memory: LettaMemoryDto;
  blocks: LettaBlockDto[];
  tools: LettaToolDto[];
  tool_ids: string[];
  tags: string[];
  metadata: Record<string, unknown>;
  /** Always empty: files and folders are not supported. */
  sources: string[];
  created_at: string;
  updated_at: string;
}
