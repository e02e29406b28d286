import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { BLOCK_LABEL, MAX_BLOCK_LIMIT } from '../../../agents/blocks/dto/create-block.dto.js';
import { IgnoredField, NullAsMissing } from '../letta-validation.js';
import { LettaPageQueryDto } from './letta-page-query.dto.js';

const LABEL_MESSAGE = 'label must start with a letter or underscore and hold at most 50 letters, digits, _ or -';

/** Letta's fields of a block that AgentMem has no place for. */
class LettaBlockExtrasDto {
  /** Templates are a Letta Cloud feature. */
  @IgnoredField('templates are a Letta Cloud feature')
  is_template?: unknown;
  @IgnoredField('templates are a Letta Cloud feature')
  template_name?: unknown;
  @IgnoredField('templates are a Letta Cloud feature')
  template_id?: unknown;
  @IgnoredField('templates are a Letta Cloud feature')
  base_template_id?: unknown;
  @IgnoredField('deployments are a Letta Cloud feature')
  deployment_id?: unknown;
  @IgnoredField('entities are a Letta Cloud feature')
  entity_id?: unknown;
  @IgnoredField('projects are a Letta Cloud feature')
  project_id?: unknown;
  @IgnoredField('every block is shown to the agents it is attached to')
  hidden?: unknown;
  @IgnoredField('there is no migration of blocks')
  preserve_on_migration?: unknown;
  @IgnoredField('blocks have no tags in AgentMem (use metadata)')
  tags?: unknown;
}

/** A new core memory block (Letta's CreateBlock). */
export class LettaCreateBlockDto extends LettaBlockExtrasDto {
  /** What the block holds, as the model sees it. @example "human" */
  @IsString()
  @Matches(BLOCK_LABEL, { message: LABEL_MESSAGE })
  label: string;

  /** The text (at most `limit` characters). @example "Name: Alice." */
  @IsString()
  @MaxLength(MAX_BLOCK_LIMIT)
  value: string;

  /** Most characters the value may hold (default 5000). */
  @NullAsMissing()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BLOCK_LIMIT)
  limit?: number;

  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** The agent may not edit it (the API still may). */
  @NullAsMissing()
  @IsOptional()
  @IsBoolean()
  read_only?: boolean;

  @NullAsMissing()
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/** The fields of a block to change (Letta's BlockUpdate); the others stay. */
export class LettaUpdateBlockDto extends LettaBlockExtrasDto {
  @NullAsMissing()
  @IsOptional()
  @IsString()
  @Matches(BLOCK_LABEL, { message: LABEL_MESSAGE })
  label?: string;

  @NullAsMissing()
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BLOCK_LIMIT)
  value?: string;

  @NullAsMissing()
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BLOCK_LIMIT)
  limit?: number;

  /** null clears it. */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string | null;

  @NullAsMissing()
  @IsOptional()
  @IsBoolean()
  read_only?: boolean;

  @NullAsMissing()
  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}

/** GET /v1/blocks/: Letta's filters that AgentMem has (label), and paging. */
export class LettaListBlocksQueryDto extends LettaPageQueryDto {
  /** Only blocks of this label. */
  @IsOptional()
  @IsString()
  @MaxLength(50)
  label?: string;

  @IgnoredField('templates are a Letta Cloud feature')
  templates_only?: unknown;
  @IgnoredField('not supported; filter by label')
  label_search?: unknown;
  @IgnoredField('not supported; filter by label')
  value_search?: unknown;
  @IgnoredField('not supported; filter by label')
  description_search?: unknown;
  @IgnoredField('not supported')
  name?: unknown;
  @IgnoredField('identities are not supported')
  identity_id?: unknown;
  @IgnoredField('identities are not supported')
  identifier_keys?: unknown;
  @IgnoredField('projects are a Letta Cloud feature')
  project_id?: unknown;
  @IgnoredField('blocks have no tags in AgentMem')
  tags?: unknown;
  @IgnoredField('blocks have no tags in AgentMem')
  match_all_tags?: unknown;
  @IgnoredField('not supported')
  connected_to_agents_count_gt?: unknown;
  @IgnoredField('not supported')
  connected_to_agents_count_lt?: unknown;
  @IgnoredField('not supported')
  connected_to_agents_count_eq?: unknown;
}

/** A core memory block as Letta's clients read it (Block / BlockResponse). */
export class LettaBlockDto {
  id: string;
  label: string;
  value: string;
  /** Most characters the value may hold. */
  limit: number;
  description: string | null;
  read_only: boolean;
  metadata: Record<string, unknown>;
  /** Always false: AgentMem has no block templates. */
  is_template: boolean;
  /** Always empty: blocks have no tags in AgentMem. */
  tags: string[];
  created_at: string;
  updated_at: string;
}
