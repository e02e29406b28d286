import type { BlockResponseDto } from '../../agents/blocks/dto/block-response.dto.js';
import type { CreateBlockDto } from '../../agents/blocks/dto/create-block.dto.js';
import type { UpdateBlockDto } from '../../agents/blocks/dto/update-block.dto.js';
import type { MessageResponseDto } from '../../agents/messages/dto/message-response.dto.js';
import type { ToolResponseDto } from '../../tools/dto/tool-response.dto.js';
import type { MemoryResponseDto } from '../../memory/dto/memory-response.dto.js';
import type { LettaBlockDto, LettaCreateBlockDto, LettaUpdateBlockDto } from './dto/letta-block.dto.js';
import type { LettaMessageDto, LettaToolCallDto } from './dto/letta-message.dto.js';
import type { LettaPassageDto } from './dto/letta-passage.dto.js';
import type { LettaToolDto } from './dto/letta-tool.dto.js';

/** Where an agent's Letta tags live in its metadata (agents have no tags column). */
export const TAGS_KEY = 'lettaTags';
/** Most characters of a tool's result the agent loop keeps (agent-loop.service.ts). */
const TOOL_RESULT_CHARS = 16000;

export const iso = (d: Date | string): string => (d instanceof Date ? d.toISOString() : new Date(d).toISOString());

/** Letta's block fields as AgentMem's. */
export function blockInput(b: LettaCreateBlockDto): CreateBlockDto {
  return {
    label: b.label,
    value: b.value,
    limit: b.limit,
    description: b.description,
    readOnly: b.read_only,
    metadata: b.metadata,
  };
}

/** Letta's block changes as AgentMem's. */
export function blockChanges(b: LettaUpdateBlockDto): UpdateBlockDto {
  return {
    label: b.label,
    value: b.value,
    limit: b.limit,
    description: b.description,
    readOnly: b.read_only,
    metadata: b.metadata,
  };
}

export function toLettaBlock(b: BlockResponseDto): LettaBlockDto {
  return {
    id: b.id,
    label: b.label,
    value: b.value,
    limit: b.limit,
    description: b.description,
    read_only: b.readOnly,
    metadata: b.metadata,
    is_template: false,
    tags: [],
    created_at: iso(b.createdAt),
    updated_at: iso(b.updatedAt),
  };
}

export function toLettaTool(
  t: Pick<
    ToolResponseDto,
    'id' | 'name' | 'description' | 'parameters' | 'sourceCode' | 'tags' | 'metadata' | 'createdAt' | 'updatedAt'
  >,
): LettaToolDto {
  return {
    id: t.id,
    name: t.name,
    description: t.description,
    json_schema: { name: t.name, description: t.description, parameters: t.parameters },
    args_json_schema: t.parameters,
    source_code: t.sourceCode,
    source_type: 'javascript',
    tool_type: 'custom',
    tags: t.tags,
    return_char_limit: TOOL_RESULT_CHARS,
    metadata_: t.metadata,
    created_at: iso(t.createdAt),
    updated_at: iso(t.updatedAt),
  };
}

const stringsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((t): t is string => typeof t === 'string') : [];

/** An agent's Letta tags: the list in its metadata under TAGS_KEY. */
export function agentTagsOf(metadata: Record<string, unknown>): string[] {
  return stringsIn(metadata[TAGS_KEY]);
}

/** An agent's metadata as Letta shows it: without the tags (they have a field of their own). */
export function withoutAgentTags(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([k]) => k !== TAGS_KEY));
}

/** An agent's metadata holding `tags` (each once) under TAGS_KEY, or no tags key when there are none. */
export function withAgentTags(metadata: Record<string, unknown>, tags: string[]): Record<string, unknown> {
  const rest = withoutAgentTags(metadata);
  return tags.length > 0 ? { ...rest, [TAGS_KEY]: [...new Set(tags)] } : rest;
}

/** A passage's (memory's) tags: its metadata's `tags`, when that is a list of strings. */
export function passageTagsOf(metadata: Record<string, unknown>): string[] {
  return stringsIn(metadata.tags);
}

export function toLettaPassage(m: MemoryResponseDto): LettaPassageDto {
  return {
    id: m.id,
    text: m.memory,
    tags: passageTagsOf(m.metadata),
    metadata: m.metadata,
    embedding: null,
    embedding_config: null,
    archive_id: null,
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

/**
 * Whether a stored tool message is a failure: the loop stores a failed call's outcome as
 * `{"error": "..."}` (step.ts) and a success as the result's JSON.
 */
export function isToolError(content: string): boolean {
  try {
    const value: unknown = JSON.parse(content);
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray(value) &&
      Object.keys(value).length === 1 &&
      typeof (value as { error?: unknown }).error === 'string'
    );
  } catch {
    return false;
  }
}

/**
 * One stored message as Letta's messages. An assistant message that called tools becomes a
 * reasoning_message (its text, when there is one) and a tool_call_message per call, as Letta's
 * agents show the text that comes with a tool call; without calls it is an assistant_message.
 * `failed` says whether a tool message reports a failure (default: read from its content).
 */
export function toLettaMessages(m: MessageResponseDto, failed = isToolError(m.content)): LettaMessageDto[] {
  const base = { id: m.id, date: iso(m.createdAt), run_id: m.requestId, sender_id: m.userId };
  switch (m.role) {
    case 'user':
      return [{ ...base, message_type: 'user_message', content: m.content }];
    case 'system':
      return [{ ...base, message_type: 'system_message', content: m.content }];
    case 'assistant': {
      const calls = m.toolCalls ?? [];
      if (calls.length === 0) return [{ ...base, message_type: 'assistant_message', content: m.content }];
      const reasoning: LettaMessageDto[] = m.content
        ? [{ ...base, message_type: 'reasoning_message', reasoning: m.content }]
        : [];
      return [
        ...reasoning,
        ...calls.map((c): LettaMessageDto => {
          const call: LettaToolCallDto = {
            name: c.name,
            arguments: JSON.stringify(c.arguments ?? {}),
            tool_call_id: c.id,
          };
          return { ...base, message_type: 'tool_call_message', tool_call: call, tool_calls: [call] };
        }),
      ];
    }
    case 'tool':
      return [
        {
          ...base,
          message_type: 'tool_return_message',
          tool_return: m.content,
          status: failed ? 'error' : 'success',
          tool_call_id: m.toolCallId ?? '',
          name: m.toolName,
        },
      ];
  }
}
