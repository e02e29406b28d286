import { IsBoolean, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';

export const BLOCK_LABEL = /^[A-Za-z_][A-Za-z0-9_-]{0,49}$/;
export const DEFAULT_BLOCK_LIMIT = 5000;
export const MAX_BLOCK_LIMIT = 100000;

/** A new core memory block. */
export class CreateBlockDto {
  /** What the block holds, as the model sees it: a letter or underscore, then letters, digits, `_` or `-` (at most 50). @example "human" */
  @IsString()
  @Matches(BLOCK_LABEL, {
    message: 'label must start with a letter or underscore and hold at most 50 letters, digits, _ or -',
  })
  label: string;

  /** The text. At most `limit` characters. @example "Name: Alice. Prefers short answers." */
  @IsOptional()
  @IsString()
  @MaxLength(MAX_BLOCK_LIMIT)
  value?: string;

  /** Most characters the value may hold (default 5000). @example 5000 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_BLOCK_LIMIT)
  limit?: number;

  /** Tells the model what the block is for. @example "What the agent knows about the user" */
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;

  /** The agent loop may not edit it (the API still may). Default false. */
  @IsOptional()
  @IsBoolean()
  readOnly?: boolean;

  @IsOptional()
  @IsObject()
  metadata?: Record<string, unknown>;
}
