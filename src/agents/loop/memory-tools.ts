import { Injectable } from '@nestjs/common';
import { MemoryService } from '../../memory/memory.service.js';
import { SearchService } from '../../memory/search/search.service.js';
import { BUILT_IN_TOOL_NAMES, BuiltInToolName } from '../../tools/built-in-tool-names.js';
import { BlockEditRefused, BlocksService } from '../blocks/blocks.service.js';
import { MessagesService } from '../messages/messages.service.js';
import type { AgentTool, ToolOutcome, TurnScope } from './agent-tools.js';

/** Thrown for arguments the model got wrong: it reads the message and may try again. */
class BadArguments extends Error {}

function text(args: unknown, field: string, { allowEmpty = false, max = 20000 } = {}): string {
  const value = (args as Record<string, unknown> | null)?.[field];
  if (typeof value !== 'string') throw new BadArguments(`${field} must be a string`);
  if (!allowEmpty && value.trim().length === 0) throw new BadArguments(`${field} must not be empty`);
  if (value.length > max) throw new BadArguments(`${field} must be at most ${max} characters`);
  return value;
}

function count(args: unknown, field: string, fallback: number, max: number): number {
  const value = (args as Record<string, unknown> | null)?.[field];
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max)
    throw new BadArguments(`${field} must be an integer from 1 to ${max}`);
  return value;
}

const CONVERSATION_SNIPPET = 1000;

/**
 * The built-in memory tools of every agent, as in Letta: edit the core memory blocks, insert
 * into and search archival (long-term) memory, and search the conversation's older messages.
 * Archival memory is the memory store of the turn's scope: the end user's when the turn names
 * one (shared by the organization's agents talking with that user), else the agent's own.
 */
@Injectable()
export class MemoryTools {
  constructor(
    private readonly blocks: BlocksService,
    private readonly memories: MemoryService,
    private readonly searches: SearchService,
    private readonly messages: MessagesService,
  ) {}

  /** The names the built-in tools take; an agent's own tools may not use them. */
  static readonly names = BUILT_IN_TOOL_NAMES;

  tools(): AgentTool[] {
    // One entry per built-in name: a name declared without its tool, or the reverse, does not compile.
    const tools: Record<BuiltInToolName, Omit<AgentTool, 'name'>> = {
      [BuiltInToolName.CoreMemoryAppend]: {
        description:
          'Append text to one of your core memory blocks (always in your context). Use it to keep lasting facts about the user or yourself at hand.',
        parameters: {
          type: 'object',
          properties: {
            label: { type: 'string', description: 'The block, e.g. human or persona' },
            content: { type: 'string', description: 'Text to add on a new line' },
          },
          required: ['label', 'content'],
          additionalProperties: false,
        },
        run: (args, scope) =>
          this.guard(async () => {
            const content = text(args, 'content');
            const block = await this.blocks.editByAgent(scope.agentId, text(args, 'label', { max: 50 }), (value) =>
              value ? `${value}\n${content}` : content,
            );
            return { label: block.label, chars_current: block.value.length, chars_limit: block.limit };
          }),
      },
      [BuiltInToolName.CoreMemoryReplace]: {
        description:
          'Replace text in one of your core memory blocks. old_content must appear in the block exactly; every occurrence is replaced. An empty new_content deletes it.',
        parameters: {
          type: 'object',
          properties: {
            label: { type: 'string', description: 'The block, e.g. human or persona' },
            old_content: { type: 'string', description: 'Exact text to replace' },
            new_content: { type: 'string', description: 'The new text (empty to delete)' },
          },
          required: ['label', 'old_content', 'new_content'],
          additionalProperties: false,
        },
        run: (args, scope) =>
          this.guard(async () => {
            const oldContent = text(args, 'old_content');
            const newContent = text(args, 'new_content', { allowEmpty: true });
            const label = text(args, 'label', { max: 50 });
            const block = await this.blocks.editByAgent(scope.agentId, label, (value) => {
              if (!value.includes(oldContent))
                throw new BlockEditRefused(`old_content was not found in block "${label}"`);
              return value.split(oldContent).join(newContent);
            });
            return { label: block.label, chars_current: block.value.length, chars_limit: block.limit };
          }),
      },
      [BuiltInToolName.ArchivalMemoryInsert]: {
        description:
          'Store a fact, event or note in long-term (archival) memory, to find later with archival_memory_search. Write it so it stands on its own.',
        parameters: {
          type: 'object',
          properties: { content: { type: 'string', description: 'What to remember' } },
          required: ['content'],
          additionalProperties: false,
        },
        run: (args, scope) =>
          this.guard(async () => {
            const added = await this.memories.add({
              content: text(args, 'content'),
              infer: false,
              type: 'semantic',
              agentId: scope.agentId,
              ...(scope.userId !== null ? { userId: scope.userId } : {}),
              ...(scope.runId !== null ? { runId: scope.runId } : {}),
              metadata: { source: 'agent', requestId: scope.requestId },
            });
            return { stored: added.results.map((r) => ({ id: r.id, memory: r.memory, event: r.event })) };
          }),
      },
      [BuiltInToolName.ArchivalMemorySearch]: {
        description:
          'Search long-term (archival) memory by meaning and words. Returns the best matches with their dates.',
        parameters: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'What to look for' },
            limit: { type: 'integer', minimum: 1, maximum: 20, description: 'How many (default 5)' },
          },
          required: ['query'],
          additionalProperties: false,
        },
        run: (args, scope) =>
          this.guard(async () => {
            const found = await this.searches.search({
              query: text(args, 'query', { max: 2000 }),
              limit: count(args, 'limit', 5, 20),
              ...this.memoryScope(scope),
            });
            return {
              results: found.results.map((h) => ({
                id: h.id,
                memory: h.memory,
                created_at: h.createdAt,
                score: Number(h.score.toFixed(4)),
              })),
            };
          }),
      },
      [BuiltInToolName.ConversationSearch]: {
        description:
          'Search the earlier messages of this conversation (yours and the user’s) by words, for what is no longer in your context.',
        parameters: {
          type: 'object',
          properties: {
            query: { type: 'string', description: 'Words to look for' },
            limit: { type: 'integer', minimum: 1, maximum: 20, description: 'How many (default 5)' },
          },
          required: ['query'],
          additionalProperties: false,
        },
        run: (args, scope) =>
          this.guard(async () => {
            const found = await this.messages.search(
              scope.agentId,
              scope.userId,
              text(args, 'query', { max: 2000 }),
              count(args, 'limit', 5, 20),
              scope.requestId,
            );
            return {
              results: found.map((m) => ({
                role: m.role,
                content:
                  m.content.length > CONVERSATION_SNIPPET ? `${m.content.slice(0, CONVERSATION_SNIPPET)}…` : m.content,
                created_at: m.createdAt,
              })),
            };
          }),
      },
    };
    return Object.entries(tools).map(([name, tool]) => ({ name, ...tool }));
  }

  /** The memory scope a turn reads: the end user's when there is one, else the agent's. */
  memoryScope(scope: TurnScope): { userId: string } | { agentId: string } {
    return scope.userId !== null ? { userId: scope.userId } : { agentId: scope.agentId };
  }

  private async guard(work: () => Promise<unknown>): Promise<ToolOutcome> {
    try {
      return { ok: true, result: await work() };
    } catch (error) {
      if (error instanceof BadArguments || error instanceof BlockEditRefused)
        return { ok: false, error: error.message };
      throw error;
    }
  }
}
