import type { MessageDraft } from '../../agents/messages/messages.service.js';
import type { MessageResponseDto } from '../../agents/messages/dto/message-response.dto.js';
import type { LettaAgentDto } from './dto/letta-agent.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';

/**
 * Letta's agent file (`.af`, the multi-entity "v2" layout of `GET /v1/agents/{id}/export`):
 * agents refer to blocks and tools of the same file by file-local ids (`block-0`, `tool-0`).
 * Only the fields AgentMem keeps are written; reading takes what Letta writes and ignores the
 * rest (groups, files, sources, MCP servers, tool rules, embedding settings).
 */
export interface AgentFile {
  agents: AgentFileAgent[];
  groups: unknown[];
  blocks: AgentFileBlock[];
  files: unknown[];
  sources: unknown[];
  tools: AgentFileTool[];
  mcp_servers: unknown[];
  metadata: Record<string, unknown>;
  created_at: string;
}

export interface AgentFileAgent {
  id: string;
  name: string;
  description: string | null;
  system: string;
  agent_type: string;
  llm_config: { model: string; handle: string | null; context_window: number | null; max_tokens: number | null };
  tags: string[];
  metadata: Record<string, unknown>;
  block_ids: string[];
  tool_ids: string[];
  messages: AgentFileMessage[];
  in_context_message_ids: string[];
}

export interface AgentFileBlock {
  id: string;
  label: string;
  value: string;
  limit: number;
  description: string | null;
  read_only: boolean;
  metadata: Record<string, unknown>;
}

export interface AgentFileTool {
  id: string;
  name: string;
  description: string;
  source_type: string;
  source_code: string;
  json_schema: Record<string, unknown>;
  tags: string[];
  tool_type: string;
}

export interface AgentFileMessage {
  id: string;
  role: 'user' | 'assistant' | 'tool' | 'system';
  content: { type: 'text'; text: string }[];
  tool_calls: { id: string; type: 'function'; function: { name: string; arguments: string } }[] | null;
  tool_call_id: string | null;
  name: string | null;
  created_at: string;
}

/** One agent (as Letta's API shows it) and its conversation as an agent file; no messages when scrubbed. */
export function toAgentFile(agent: LettaAgentDto, log: MessageResponseDto[]): AgentFile {
  const blocks = agent.blocks.map((b, i): AgentFileBlock => ({
    id: `block-${i}`,
    label: b.label,
    value: b.value,
    limit: b.limit,
    description: b.description,
    read_only: b.read_only,
    metadata: b.metadata,
  }));
  const tools = agent.tools.map((t, i): AgentFileTool => ({
    id: `tool-${i}`,
    name: t.name,
    description: t.description,
    source_type: t.source_type,
    source_code: t.source_code,
    json_schema: t.json_schema,
    tags: t.tags,
    tool_type: t.tool_type,
  }));
  const messages = log.map((m, i): AgentFileMessage => ({
    id: `message-${i}`,
    role: m.role,
    content: [{ type: 'text', text: m.content }],
    tool_calls:
      m.toolCalls?.map((c) => ({
        id: c.id,
        type: 'function' as const,
        function: { name: c.name, arguments: JSON.stringify(c.arguments ?? {}) },
      })) ?? null,
    tool_call_id: m.toolCallId,
    name: m.toolName,
    created_at: m.createdAt.toISOString(),
  }));
  return {
    agents: [
      {
        id: 'agent-0',
        name: agent.name,
        description: agent.description,
        system: agent.system,
        agent_type: agent.agent_type,
        llm_config: {
          model: agent.llm_config.model,
          handle: agent.llm_config.handle,
          context_window: agent.llm_config.context_window,
          max_tokens: agent.llm_config.max_tokens,
        },
        tags: agent.tags,
        metadata: agent.metadata,
        block_ids: blocks.map((b) => b.id),
        tool_ids: tools.map((t) => t.id),
        messages,
        in_context_message_ids: messages.map((m) => m.id),
      },
    ],
    groups: [],
    blocks,
    files: [],
    sources: [],
    tools,
    mcp_servers: [],
    metadata: { exported_by: 'agentmem' },
    created_at: new Date().toISOString(),
  };
}

/** An agent of a file, ready for the services: its blocks and tools as indexes into the file's lists. */
export interface ImportedAgent {
  name: string;
  description: string | null;
  system: string | null;
  handle: string | null;
  contextWindow: number | null;
  maxTokens: number | null;
  tags: string[];
  metadata: Record<string, unknown>;
  blocks: number[];
  tools: number[];
  messages: MessageDraft[];
}

export interface ImportedBlock {
  label: string;
  value: string;
  limit: number | null;
  description: string | null;
  readOnly: boolean;
  metadata: Record<string, unknown>;
}

export interface ImportedTool {
  name: string;
  description: string;
  sourceCode: string;
  parameters: Record<string, unknown>;
  tags: string[];
}

export interface ImportedFile {
  agents: ImportedAgent[];
  blocks: ImportedBlock[];
  /** Custom tools; null where the file's tool is one of Letta's own (AgentMem has memory tools of its own). */
  tools: (ImportedTool | null)[];
}

/** Letta's own tool types: its memory and messaging tools, which AgentMem's loop replaces. */
const LETTA_TOOL_TYPE = /^letta_/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function fail(path: string, message: string): never {
  throw new LettaError(LettaErrorCode.InvalidInput, `file: ${path}: ${message}`);
}

function text(v: unknown, path: string, options: { optional?: boolean; max?: number } = {}): string | null {
  if (v === undefined || v === null) return options.optional ? null : fail(path, 'is required');
  if (typeof v !== 'string') fail(path, 'must be a string');
  if (options.max !== undefined && v.length > options.max) fail(path, `must be at most ${options.max} characters`);
  return v;
}

function list(v: unknown, path: string, max: number): unknown[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) fail(path, 'must be an array');
  if (v.length > max) fail(path, `may hold at most ${max} entries`);
  return v;
}

function record(v: unknown, path: string): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (!isObject(v)) fail(path, 'must be an object');
  return v;
}

function positive(v: unknown, path: string): number | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(path, 'must be a positive integer');
  return v;
}

/** The text of a Letta message's content: a string or a list of parts, of which the text ones count. */
function contentText(v: unknown, path: string): string {
  if (typeof v === 'string') return v;
  return list(v, path, 1000)
    .map((part, i) => (isObject(part) && part.type === 'text' ? (text(part.text, `${path}.${i}.text`) ?? '') : ''))
    .join('');
}

/**
 * Reads an agent file (JSON text) into what AgentMem can store, refusing with a 400 that names
 * the place anything it cannot take: a reference to a block or tool the file lacks, a custom
 * tool that is not JavaScript. Letta's own tools (tool_type `letta_*`) are skipped; system
 * messages too (the agent's system prompt is its `system`). Letta's classic agents answer
 * through `send_message` calls: those become the assistant's text.
 */
export function readAgentFile(json: string): ImportedFile {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new LettaError(LettaErrorCode.InvalidInput, 'file: not JSON (an agent file exported by Letta is JSON)');
  }
  if (!isObject(parsed)) fail('(root)', 'must be an object with agents, blocks and tools');
  const blockIds = new Map<string, number>();
  const blocks = list(parsed.blocks, 'blocks', 1000).map((b, i): ImportedBlock => {
    const path = `blocks.${i}`;
    if (!isObject(b)) fail(path, 'must be an object');
    blockIds.set(text(b.id, `${path}.id`, { max: 200 })!, i);
    return {
      label: text(b.label, `${path}.label`, { max: 100 })!,
      value: text(b.value, `${path}.value`, { optional: true }) ?? '',
      limit: positive(b.limit, `${path}.limit`),
      description: text(b.description, `${path}.description`, { optional: true, max: 2000 }),
      readOnly: b.read_only === true,
      metadata: record(b.metadata, `${path}.metadata`),
    };
  });
  const toolIds = new Map<string, number>();
  const tools = list(parsed.tools, 'tools', 1000).map((t, i): ImportedTool | null => {
    const path = `tools.${i}`;
    if (!isObject(t)) fail(path, 'must be an object');
    toolIds.set(text(t.id, `${path}.id`, { max: 200 })!, i);
    if (typeof t.tool_type === 'string' && LETTA_TOOL_TYPE.test(t.tool_type)) return null;
    const schema = record(t.json_schema, `${path}.json_schema`);
    const sourceType = text(t.source_type, `${path}.source_type`, { optional: true });
    if (sourceType !== null && !/^(javascript|typescript|js)$/i.test(sourceType))
      throw new LettaError(
        LettaErrorCode.Unsupported,
        `file: ${path}.source_type: ${sourceType} tools cannot run here (AgentMem's sandbox runs JavaScript); rewrite the tool in JavaScript or remove it from the file`,
      );
    const name = text(t.name ?? schema.name, `${path}.name`, { max: 64 })!;
    return {
      name,
      description: text(t.description ?? schema.description, `${path}.description`, { optional: true }) ?? name,
      sourceCode: text(t.source_code, `${path}.source_code`)!,
      parameters: record(schema.parameters, `${path}.json_schema.parameters`),
      tags: list(t.tags, `${path}.tags`, 50).map((tag, j) => text(tag, `${path}.tags.${j}`, { max: 100 })!),
    };
  });
  const agents = list(parsed.agents, 'agents', 100).map((a, i): ImportedAgent => {
    const path = `agents.${i}`;
    if (!isObject(a)) fail(path, 'must be an object');
    const llm = record(a.llm_config, `${path}.llm_config`);
    const ref = (ids: Map<string, number>, kind: string) => (id: unknown, j: number) => {
      const index = ids.get(text(id, `${path}.${kind}_ids.${j}`)!);
      if (index === undefined) fail(`${path}.${kind}_ids.${j}`, `no ${kind} ${String(id)} in the file`);
      return index;
    };
    return {
      name: text(a.name, `${path}.name`, { max: 200 })!,
      description: text(a.description, `${path}.description`, { optional: true, max: 2000 }),
      system: text(a.system, `${path}.system`, { optional: true }),
      handle: text(llm.handle, `${path}.llm_config.handle`, { optional: true, max: 300 }),
      contextWindow: positive(llm.context_window, `${path}.llm_config.context_window`),
      maxTokens: positive(llm.max_tokens, `${path}.llm_config.max_tokens`),
      tags: list(a.tags, `${path}.tags`, 50).map((tag, j) => text(tag, `${path}.tags.${j}`, { max: 100 })!),
      metadata: record(a.metadata, `${path}.metadata`),
      blocks: list(a.block_ids, `${path}.block_ids`, 50).map(ref(blockIds, 'block')),
      tools: list(a.tool_ids, `${path}.tool_ids`, 100).map(ref(toolIds, 'tool')),
      messages: readMessages(list(a.messages, `${path}.messages`, 100_000), `${path}.messages`),
    };
  });
  if (agents.length === 0) fail('agents', 'holds no agent');
  return { agents, blocks, tools };
}

function readMessages(messages: unknown[], path: string): MessageDraft[] {
  const drafts: MessageDraft[] = [];
  const sendMessageCalls = new Set<string>();
  messages.forEach((m, i) => {
    const here = `${path}.${i}`;
    if (!isObject(m)) fail(here, 'must be an object');
    const role = m.role;
    const content = contentText(m.content, `${here}.content`);
    if (role === 'system') return;
    if (role === 'user') {
      drafts.push({ role: 'user', content });
    } else if (role === 'assistant') {
      const calls = list(m.tool_calls, `${here}.tool_calls`, 100).map((c, j) => {
        const call = record(c, `${here}.tool_calls.${j}`);
        const fn = record(call.function, `${here}.tool_calls.${j}.function`);
        const raw = text(fn.arguments, `${here}.tool_calls.${j}.function.arguments`, { optional: true }) ?? '{}';
        let args: unknown;
        try {
          args = JSON.parse(raw);
        } catch {
          args = { raw };
        }
        return {
          id: text(call.id, `${here}.tool_calls.${j}.id`)!,
          name: text(fn.name, `${here}.tool_calls.${j}.function.name`)!,
          arguments: args,
        };
      });
      // Letta's classic agents speak through send_message: its argument is the reply.
      const said = calls.filter((c) => c.name === 'send_message');
      for (const c of said) sendMessageCalls.add(c.id);
      const reply = said
        .map((c) => (isObject(c.arguments) && typeof c.arguments.message === 'string' ? c.arguments.message : ''))
        .join('\n');
      const others = calls.filter((c) => c.name !== 'send_message');
      const spoken = [content, reply].filter(Boolean).join('\n');
      if (spoken || others.length)
        drafts.push({ role: 'assistant', content: spoken, ...(others.length ? { toolCalls: others } : {}) });
    } else if (role === 'tool') {
      const callId = text(m.tool_call_id, `${here}.tool_call_id`, { optional: true });
      if (callId !== null && sendMessageCalls.has(callId)) return;
      drafts.push({
        role: 'tool',
        content,
        ...(callId !== null ? { toolCallId: callId } : {}),
        ...(typeof m.name === 'string' ? { toolName: m.name } : {}),
      });
    } else {
      fail(`${here}.role`, 'must be user, assistant, tool or system');
    }
  });
  return drafts;
}
