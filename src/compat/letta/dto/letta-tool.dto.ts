import { ArrayMaxSize, IsArray, IsObject, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { MAX_SOURCE_CHARS, TAG, TOOL_NAME, TOOL_NAME_MESSAGE } from '../../../tools/dto/create-tool.dto.js';
import { IgnoredField, NullAsMissing } from '../letta-validation.js';
import { LettaPageQueryDto } from './letta-page-query.dto.js';

/** The source types a tool may have: AgentMem runs tools as JavaScript in its sandbox, never Python. */
export const LETTA_SOURCE_TYPES = ['javascript', 'js'] as const;

/** Letta's tool fields AgentMem has no place for. */
class LettaToolExtrasDto {
  @IgnoredField('the agent loop runs every tool call itself; there are no approvals')
  default_requires_approval?: unknown;
  @IgnoredField('tool calls of a step run one after another')
  enable_parallel_execution?: unknown;
  @IgnoredField('results are cut at 16,000 characters')
  return_char_limit?: unknown;
  @IgnoredField('tools run JavaScript without packages: Python packages cannot be installed')
  pip_requirements?: unknown;
  @IgnoredField('tools run JavaScript without imports: npm packages cannot be installed')
  npm_requirements?: unknown;
}

/** What creating and changing a tool share (Letta's ToolCreate and ToolUpdate). */
export class LettaToolFieldsDto extends LettaToolExtrasDto {
  /** javascript (or js). Letta's default, python, is refused. */
  @NullAsMissing()
  @IsOptional()
  @IsString()
  source_type?: string;

  /**
   * The OpenAI function schema: `{name, description, parameters}`. Its `name` is the tool's name
   * (else the name of the source's first function); its `parameters` the arguments' JSON Schema.
   */
  @NullAsMissing()
  @IsOptional()
  @IsObject()
  json_schema?: Record<string, unknown>;

  /** The arguments' JSON Schema, when `json_schema` does not give `parameters`. */
  @NullAsMissing()
  @IsOptional()
  @IsObject()
  args_json_schema?: Record<string, unknown>;

  /** What the tool does (else `json_schema.description`). */
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  description?: string;

  @NullAsMissing()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(TAG, { each: true, message: 'each of tags must be 1-64 characters without commas or leading spaces' })
  tags?: string[];
}

/**
 * A new tool (Letta's ToolCreate). `source_code` is JavaScript, run in AgentMem's sandbox:
 * either a function body using `args` (`return args.a + args.b`), or an ES module exporting one
 * function, which is called with the arguments as ONE object (`export default function add({a, b}) {…}`).
 * Python source is refused with a 400 naming `source_code`.
 */
export class LettaCreateToolDto extends LettaToolFieldsDto {
  /** JavaScript (see above). @example "return args.a + args.b" */
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_SOURCE_CHARS)
  source_code: string;
}

/** The fields of a tool to change (Letta's ToolUpdate); the others stay. */
export class LettaUpdateToolDto extends LettaToolFieldsDto {
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(MAX_SOURCE_CHARS)
  source_code?: string;

  /** Replaces the tool's metadata. */
  @NullAsMissing()
  @IsOptional()
  @IsObject()
  metadata_?: Record<string, unknown>;
}

/** GET /v1/tools/: by name, and paging. */
export class LettaListToolsQueryDto extends LettaPageQueryDto {
  /** Only the tool of this name. */
  @IsOptional()
  @Matches(TOOL_NAME, { message: TOOL_NAME_MESSAGE })
  name?: string;

  @IgnoredField('not supported; filter by name')
  names?: unknown;
  @IgnoredField('not supported')
  tool_ids?: unknown;
  @IgnoredField('not supported; filter by name')
  search?: unknown;
  @IgnoredField('every tool is a custom JavaScript tool')
  tool_types?: unknown;
  @IgnoredField('every tool is a custom JavaScript tool')
  exclude_tool_types?: unknown;
  @IgnoredField('the built-in tools are not in the registry')
  return_only_letta_tools?: unknown;
}

/** A tool as Letta's clients read it. */
export class LettaToolDto {
  id: string;
  name: string;
  description: string;
  /** The OpenAI function schema offered to the model. */
  json_schema: Record<string, unknown>;
  /** The arguments' JSON Schema. */
  args_json_schema: Record<string, unknown>;
  source_code: string;
  /** Always javascript. */
  source_type: string;
  /** Always custom. */
  tool_type: string;
  tags: string[];
  /** Most characters of a result the model sees. */
  return_char_limit: number;
  metadata_: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}
