import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_BLOCK_LIMIT, MAX_BLOCK_LIMIT } from '../../agents/blocks/dto/create-block.dto.js';
import { SEARCH_MODES } from '../../config/app-config.js';
import { MESSAGE_ROLES } from '../../memory/dto/create-memory.dto.js';
import { MEMORY_TYPES } from '../../memory/memory.types.js';

/**
 * The JSON Schemas the MCP tools show their callers. They describe the REST DTOs' fields (the
 * same names, bounds and enums); the DTOs' class-validator rules still decide what is accepted,
 * so a schema that said less than a DTO would only make a client's call fail with the field named.
 */
type InputSchema = Tool['inputSchema'];
type Property = Record<string, unknown>;

const scopeId = (description: string): Property => ({ type: 'string', minLength: 1, maxLength: 200, description });

const SCOPE: Record<string, Property> = {
  userId: scopeId('The end user the memory is about (your application’s own id), e.g. "alice".'),
  agentId: scopeId('The agent the memory belongs to (your application’s own name for it), e.g. "support-bot".'),
  runId: scopeId('A run or session (one conversation), e.g. "session-42".'),
};

const memoryId = (what: string): Property => ({
  type: 'string',
  format: 'uuid',
  description: `The id of the memory ${what}.`,
});
const memoryType = (description: string): Property => ({ type: 'string', enum: [...MEMORY_TYPES], description });
const metadata = (description: string): Property => ({ type: 'object', additionalProperties: true, description });
const importance: Property = {
  type: 'number',
  minimum: 0,
  maximum: 1,
  description: 'How much the memory matters, 0 to 1 (default 0.5).',
};
const dateTime = (description: string): Property => ({ type: 'string', format: 'date-time', description });
const agentUuid: Property = {
  type: 'string',
  format: 'uuid',
  description: 'The id of an AgentMem agent (from POST /api/v1/agents), whose core memory blocks these are.',
};

function object(properties: Record<string, Property>, required: string[] = []): InputSchema {
  return { type: 'object', properties, required, additionalProperties: false };
}

export const ADD_MEMORY_INPUT = object({
  content: {
    type: 'string',
    minLength: 1,
    maxLength: 20000,
    description: 'A text to remember (give this or messages, not both), e.g. "Alice is allergic to peanuts."',
  },
  messages: {
    type: 'array',
    minItems: 1,
    maxItems: 200,
    description: 'A conversation to remember (give this or content, not both).',
    items: {
      type: 'object',
      properties: {
        role: { type: 'string', enum: [...MESSAGE_ROLES], description: 'Who said it.' },
        content: { type: 'string', minLength: 1, maxLength: 20000, description: 'What was said.' },
      },
      required: ['role', 'content'],
      additionalProperties: false,
    },
  },
  ...SCOPE,
  type: memoryType(
    'Default: semantic for facts extracted by the LLM, episodic for text stored as given; working memories expire.',
  ),
  metadata: metadata('Any JSON object, searchable with the filter language, e.g. {"topic": "health"}.'),
  importance,
  expiresAt: dateTime('When the memory stops being returned (ISO 8601, in the future).'),
  infer: {
    type: 'boolean',
    description:
      'Extract facts with the server’s LLM and reconcile them with existing memories (default true, when an LLM is configured); false stores the text as given.',
  },
});

export const SEARCH_MEMORY_INPUT = object(
  {
    query: {
      type: 'string',
      minLength: 1,
      maxLength: 2000,
      description:
        'What to look for. Plain sentences match any of their words; quotes, -word and or switch to web-search syntax.',
    },
    ...SCOPE,
    filters: metadata(
      'Filter language: {"AND": [...]}, {"OR": [...]}, {"NOT": {...}}, and per field {"field": value} or {"field": {"eq|ne|in|nin|gt|gte|lt|lte|contains": value}}. Fields: createdAt, updatedAt, expiresAt, type, userId, agentId, runId, content, importance, accessCount, or any metadata key (dotted for nesting).',
    ),
    limit: { type: 'integer', minimum: 1, maximum: 100, default: 10, description: 'How many results, 1 to 100.' },
    threshold: {
      type: 'number',
      minimum: 0,
      description: 'Drop results scoring below this (hybrid scores run 0 to 1).',
    },
    mode: {
      type: 'string',
      enum: [...SEARCH_MODES],
      description: 'The retrieval to run (default: the server’s SEARCH_DEFAULT_MODE).',
    },
    rerank: { type: 'boolean', description: 'Let the server’s LLM reorder the results by relevance.' },
  },
  ['query'],
);

export const LIST_MEMORIES_INPUT = object({
  ...SCOPE,
  type: memoryType('Only memories of this type.'),
  createdAfter: dateTime('Only memories created at or after this time (ISO 8601).'),
  createdBefore: dateTime('Only memories created before this time (ISO 8601).'),
  limit: { type: 'integer', minimum: 1, maximum: 100, default: 20, description: 'Page size, 1 to 100.' },
  cursor: {
    type: 'string',
    format: 'uuid',
    description: 'The nextCursor of the previous page; omit for the first page.',
  },
});

export const GET_MEMORY_INPUT = object({ id: memoryId('to read') }, ['id']);

export const UPDATE_MEMORY_INPUT = object(
  {
    id: memoryId('to change'),
    content: {
      type: 'string',
      minLength: 1,
      maxLength: 20000,
      description: 'The new text (the old one stays in the memory’s history).',
    },
    metadata: metadata('Replaces the metadata.'),
    type: memoryType('The new type.'),
    importance,
  },
  ['id'],
);

export const DELETE_MEMORY_INPUT = object({ id: memoryId('to delete') }, ['id']);

export const GET_CORE_MEMORY_INPUT = object({ agentId: agentUuid }, ['agentId']);

export const UPDATE_CORE_MEMORY_BLOCK_INPUT = object(
  {
    agentId: agentUuid,
    label: {
      type: 'string',
      minLength: 1,
      maxLength: 50,
      description: 'The label of the agent’s block to change, e.g. "persona" or "human".',
    },
    value: {
      type: 'string',
      maxLength: MAX_BLOCK_LIMIT,
      description: 'The block’s new text (replaces the old one; at most the block’s limit).',
    },
    description: { type: 'string', maxLength: 2000, description: 'What the block is for, shown to the agent.' },
    limit: {
      type: 'integer',
      minimum: 1,
      maximum: MAX_BLOCK_LIMIT,
      description: `The most characters the value may hold (new blocks get ${DEFAULT_BLOCK_LIMIT}).`,
    },
  },
  ['agentId', 'label'],
);
