import { ApiProperty } from '@nestjs/swagger';
import { MEMORY_TYPES } from '../memory.types.js';
import type { HistoryRecord, MemoryRecord, MemoryType, SearchHit } from '../memory.types.js';

export class MemoryResponseDto {
  id: string;
  /** The remembered text. @example "Alice is allergic to peanuts." */
  memory: string;
  userId: string | null;
  agentId: string | null;
  runId: string | null;
  @ApiProperty({ enum: MEMORY_TYPES })
  type: MemoryType;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;
  importance: number;
  /** How many searches returned it. */
  accessCount: number;
  lastAccessedAt: Date | null;
  expiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;

  static from(this: void, m: MemoryRecord): MemoryResponseDto {
    return {
      id: m.id,
      memory: m.content,
      userId: m.userId,
      agentId: m.agentId,
      runId: m.runId,
      type: m.type,
      metadata: m.metadata,
      importance: m.importance,
      accessCount: m.accessCount,
      lastAccessedAt: m.lastAccessedAt,
      expiresAt: m.expiresAt,
      createdAt: m.createdAt,
      updatedAt: m.updatedAt,
    };
  }
}

export class MemoryPageResponseDto {
  data: MemoryResponseDto[];
  nextCursor: string | null;
}

export const MEMORY_EVENTS = ['ADD', 'UPDATE', 'DELETE', 'NONE'] as const;
export type MemoryEventKind = (typeof MEMORY_EVENTS)[number];

export class MemoryChangeDto {
  id: string;
  /** The memory's text after the change (before it, for DELETE). */
  memory: string;
  @ApiProperty({ enum: MEMORY_EVENTS })
  event: MemoryEventKind;
  /** The text before an UPDATE. */
  previous?: string;
}

export class AddMemoriesResponseDto {
  results: MemoryChangeDto[];
  /** Whether an LLM extracted the facts (false: stored as given). */
  inferred: boolean;
  /** Why not inferred, when infer was asked for. */
  note?: string;
}

export class HitScoresDto {
  /** Cosine similarity, when the vector retriever found it. */
  vector?: number;
  /** Full-text rank, when the text retriever found it. */
  text?: number;
}

export class SearchHitDto extends MemoryResponseDto {
  /** The fused score (hybrid: 0–1), or the single retriever's score. */
  score: number;
  scores: HitScoresDto;
  /** Which retrievers found it. */
  @ApiProperty({ enum: ['vector', 'text'], isArray: true })
  retrievers: ('vector' | 'text')[];

  static fromHit(this: void, hit: SearchHit): SearchHitDto {
    return { ...MemoryResponseDto.from(hit.memory), score: hit.score, scores: hit.scores, retrievers: hit.retrievers };
  }
}

export class SearchResponseDto {
  results: SearchHitDto[];
  /** The mode that ran. */
  mode: string;
}

export class HistoryEntryDto {
  id: string;
  memoryId: string;
  @ApiProperty({ enum: ['ADD', 'UPDATE', 'DELETE'] })
  event: 'ADD' | 'UPDATE' | 'DELETE';
  oldContent: string | null;
  newContent: string | null;
  /** `user:<id>` or `api_key:<id>`. */
  actor: string;
  createdAt: Date;

  static from(this: void, h: HistoryRecord): HistoryEntryDto {
    return {
      id: h.id,
      memoryId: h.memoryId,
      event: h.event,
      oldContent: h.oldContent,
      newContent: h.newContent,
      actor: h.actor,
      createdAt: h.createdAt,
    };
  }
}

export class HistoryResponseDto {
  data: HistoryEntryDto[];
}

export class DeletedCountResponseDto {
  /** How many memories were deleted. */
  deleted: number;
}

export class ImportAcceptedResponseDto {
  /** Follow it at GET /api/v1/jobs/{jobId}, or live as job_progress events. */
  jobId: string;
  /** Lines accepted for import. */
  rows: number;
}

export class MemoryScopeResponseDto {
  /** Which scope field the id is for. */
  @ApiProperty({ enum: ['user', 'agent', 'run'] })
  type: 'user' | 'agent' | 'run';
  /** The userId, agentId or runId. @example "alice" */
  id: string;
  /** How many live memories it holds. */
  memories: number;
  /** When its first memory was created. */
  createdAt: Date;
  /** When one of its memories last changed. */
  updatedAt: Date;
}

export class MemoryScopesResponseDto {
  data: MemoryScopeResponseDto[];
  /** How many scopes there are in all (data holds at most `limit`). */
  total: number;
}
