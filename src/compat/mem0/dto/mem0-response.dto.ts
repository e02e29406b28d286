import { ApiProperty } from '@nestjs/swagger';

/** A memory as Mem0's API returns it (snake_case; `app_id` read back from the metadata). */
export class Mem0MemoryDto {
  id: string;
  /** The remembered text. */
  memory: string;
  user_id: string | null;
  agent_id: string | null;
  app_id: string | null;
  run_id: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata: Record<string, unknown>;
  /** The metadata's `categories`, if it holds a list of strings. */
  categories: string[];
  /** episodic, semantic, procedural or working. */
  memory_type: string;
  created_at: string;
  updated_at: string;
  expiration_date: string | null;
}

export class Mem0SearchHitDto extends Mem0MemoryDto {
  /** The fused relevance score, 0–1. */
  score: number;
}

export class Mem0SearchResponseDto {
  results: Mem0SearchHitDto[];
}

class Mem0MemoryDataDto {
  memory: string;
}

export class Mem0AddResultDto {
  id: string;
  memory: string;
  /** The same text, as Mem0's first output format gave it. */
  data: Mem0MemoryDataDto;
  @ApiProperty({ enum: ['ADD', 'UPDATE', 'DELETE', 'NOOP'] })
  event: 'ADD' | 'UPDATE' | 'DELETE' | 'NOOP';
  /** The text before an UPDATE. */
  previous_memory?: string;
}

export class Mem0AddResponseDto {
  /** What the add changed (empty when queued with async_mode). */
  results: Mem0AddResultDto[];
  @ApiProperty({ enum: ['SUCCEEDED', 'PENDING'] })
  status: 'SUCCEEDED' | 'PENDING';
  /** With async_mode: follow it at GET /v1/event/{event_id}/. */
  event_id: string | null;
  message: string;
}

export class Mem0PageDto {
  /** How many memories the filters select in all. */
  count: number;
  /** The next page's URL, or null on the last. */
  next: string | null;
  previous: string | null;
  results: Mem0MemoryDto[];
}

export class Mem0HistoryEntryDto {
  id: string;
  memory_id: string;
  /** The memory's user id. */
  user_id: string | null;
  @ApiProperty({ enum: ['ADD', 'UPDATE', 'DELETE'] })
  event: 'ADD' | 'UPDATE' | 'DELETE';
  old_memory: string | null;
  new_memory: string | null;
  /** Not kept (the messages a change came from). */
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  input: unknown[];
  /** `user:<id>` or `api_key:<id>`. */
  actor: string;
  created_at: string;
  updated_at: string;
}

export class Mem0EntityDto {
  /** The entity's own id (its name). */
  id: string;
  name: string;
  @ApiProperty({ enum: ['user', 'agent', 'run'] })
  type: 'user' | 'agent' | 'run';
  total_memories: number;
  created_at: string;
  updated_at: string;
}

export class Mem0EntitiesDto {
  count: number;
  next: string | null;
  previous: string | null;
  results: Mem0EntityDto[];
}

export class Mem0MessageResponseDto {
  /** @example "Memory deleted successfully!" */
  message: string;
}

export class Mem0PingResponseDto {
  /** @example "ok" */
  status: 'ok';
  /** The API key's organization. */
  org_id: string;
  /** Always null: there are no projects here, so the client's project calls are refused by the client itself. */
  project_id: string | null;
  /** The caller's email (with a personal token), else null. */
  user_email: string | null;
}

export class Mem0FeedbackResponseDto {
  id: string;
  feedback: string | null;
  feedback_reason: string | null;
}

export class Mem0EventDto {
  id: string;
  @ApiProperty({ enum: ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'] })
  status: 'PENDING' | 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** What the add changed, once SUCCEEDED. */
  results: Mem0AddResultDto[];
  /** Why it failed. */
  error: string | null;
  created_at: string;
  updated_at: string | null;
}
