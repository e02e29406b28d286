import { Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import { SEARCH_MODES } from '../../config/app-config.js';
import type { SearchMode } from '../../config/app-config.js';
import { ScopeDto } from './create-memory.dto.js';

const trim = ({ value }: { value: unknown }) => (typeof value === 'string' ? value.trim() : value);

export class SearchMemoriesDto extends ScopeDto {
  /**
   * What to look for. Plain sentences and questions match any of their words; quotes, `-word`
   * and `or` switch to web-search syntax (all words, phrases, exclusions). @example "Where does Alice live?"
   */
  @Transform(trim)
  @IsString()
  @MinLength(1, { message: 'query must not be empty' })
  @MaxLength(2000)
  query: string;

  /**
   * Filter language: `{"AND": [...]}`, `{"OR": [...]}`, `{"NOT": {...}}`, and per field
   * `{"field": value}` or `{"field": {"eq|ne|in|nin|gt|gte|lt|lte|contains": value}}`. Fields:
   * createdAt, updatedAt, expiresAt, type, userId, agentId, runId, content, importance,
   * accessCount, or any metadata key (dotted for nesting).
   */
  @ApiProperty({
    required: false,
    type: Object,
    additionalProperties: true,
    example: { AND: [{ topic: 'travel' }, { createdAt: { gte: '2026-01-01T00:00:00Z' } }] },
  })
  @IsOptional()
  @IsObject()
  filters?: Record<string, unknown>;

  /** 1–100. @example 10 */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100)
  limit: number = 10;

  /** Drop results scoring below this (hybrid scores run 0–1, 1 = first in every retriever). */
  @IsOptional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  threshold?: number;

  @ApiProperty({
    enum: SEARCH_MODES,
    required: false,
    description:
      "Default: the server's SEARCH_DEFAULT_MODE (auto: hybrid with a semantic embedder, text with the built-in lexical one).",
  })
  @IsOptional()
  @IsIn(SEARCH_MODES)
  mode?: SearchMode;

  /** Let the LLM reorder the results by relevance (needs LLM_PROVIDER). */
  @IsOptional()
  @IsBoolean()
  rerank?: boolean;
}
