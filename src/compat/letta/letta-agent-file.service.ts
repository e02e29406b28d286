import { Injectable, Logger } from '@nestjs/common';
import { AgentsService } from '../../agents/agents.service.js';
import { BlocksService } from '../../agents/blocks/blocks.service.js';
import type { MessageResponseDto } from '../../agents/messages/dto/message-response.dto.js';
import { MessagesService } from '../../agents/messages/messages.service.js';
import { ToolsService } from '../../tools/tools.service.js';
import type { LettaImportAgentDto, LettaImportAgentResponseDto } from './dto/letta-agent-file.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';
import { readAgentFile, toAgentFile } from './letta-agent-file.js';
import type { AgentFile, ImportedFile, ImportedTool } from './letta-agent-file.js';
import { LettaAgentsService } from './letta-agents.service.js';

/** Messages stored per statement on import. */
const MESSAGE_BATCH = 1000;

/** What an import has made so far: undone, newest first, if a later step fails. */
interface Made {
  tools: string[];
  blocks: string[];
  agents: string[];
}

/**
 * Letta's agent files (`client.agents.exportFile` / `importFile`): an agent with its blocks,
 * JavaScript tools and conversation as one JSON document, and back. Import is all or nothing:
 * the file is read whole first (a problem is a 400 naming its place), and what a later failure
 * leaves half made is removed again.
 */
@Injectable()
export class LettaAgentFileService {
  private readonly logger = new Logger('LettaAgentFile');

  constructor(
    private readonly lettaAgents: LettaAgentsService,
    private readonly agents: AgentsService,
    private readonly blocks: BlocksService,
    private readonly messages: MessagesService,
    private readonly tools: ToolsService,
  ) {}

  async export(id: string, scrubMessages: boolean): Promise<AgentFile> {
    const agent = await this.lettaAgents.get(id);
    return toAgentFile(agent, scrubMessages ? [] : await this.conversation(id));
  }

  async import(file: Buffer | undefined, options: LettaImportAgentDto): Promise<LettaImportAgentResponseDto> {
    if (!file)
      throw new LettaError(
        LettaErrorCode.InvalidInput,
        'file is required: send the agent file as multipart/form-data field "file"',
      );
    const imported = readAgentFile(file.toString('utf8'));
    const made: Made = { tools: [], blocks: [], agents: [] };
    try {
      return { agent_ids: await this.store(imported, options, made) };
    } catch (error) {
      await this.undo(made);
      throw error;
    }
  }

  private async store(file: ImportedFile, options: LettaImportAgentDto, made: Made): Promise<string[]> {
    const overwrite = options.override_existing_tools === 'true';
    const toolIds: (string | null)[] = [];
    for (const tool of file.tools) toolIds.push(tool ? await this.tool(tool, overwrite, made) : null);
    const blockIds: string[] = [];
    for (const b of file.blocks) {
      const block = await this.blocks.create({
        label: b.label,
        value: b.value,
        ...(b.limit !== null ? { limit: b.limit } : {}),
        ...(b.description !== null ? { description: b.description } : {}),
        readOnly: b.readOnly,
        metadata: b.metadata,
      });
      made.blocks.push(block.id);
      blockIds.push(block.id);
    }
    const agentIds: string[] = [];
    for (const a of file.agents) {
      const model = this.lettaAgents.usableHandle(options.model ?? options.override_model_handle ?? a.handle);
      const agent = await this.lettaAgents.create({
        name: options.name ?? options.override_name ?? a.name,
        ...(a.description !== null ? { description: a.description } : {}),
        ...(a.system !== null ? { system: a.system } : {}),
        ...(model !== undefined ? { model } : {}),
        ...(a.contextWindow !== null && model !== undefined ? { context_window_limit: a.contextWindow } : {}),
        ...(a.maxTokens !== null && model !== undefined ? { max_tokens: a.maxTokens } : {}),
        tags: a.tags,
        metadata: a.metadata,
        block_ids: a.blocks.map((i) => blockIds[i]),
        tool_ids: a.tools.flatMap((i) => toolIds[i] ?? []),
      });
      made.agents.push(agent.id);
      agentIds.push(agent.id);
      if (options.strip_messages === 'true') continue;
      const conversation = { agentId: agent.id, userId: null, runId: null, requestId: null };
      for (let i = 0; i < a.messages.length; i += MESSAGE_BATCH)
        await this.messages.record(conversation, a.messages.slice(i, i + MESSAGE_BATCH));
    }
    return agentIds;
  }

  /** The organization's tool of that name (its source replaced when asked), or a new one. */
  private async tool(tool: ImportedTool, overwrite: boolean, made: Made): Promise<string> {
    const [existing] = (await this.tools.list({ limit: 1, name: tool.name, match: 'any' })).data;
    if (existing && existing.name === tool.name) {
      if (overwrite)
        await this.tools.update(existing.id, {
          description: tool.description,
          parameters: tool.parameters,
          sourceCode: tool.sourceCode,
        });
      return existing.id;
    }
    const created = await this.tools.create({
      name: tool.name,
      description: tool.description,
      parameters: tool.parameters,
      sourceCode: tool.sourceCode,
      tags: tool.tags,
    });
    made.tools.push(created.id);
    return created.id;
  }

  private async undo(made: Made): Promise<void> {
    const steps = [
      ...made.agents.map((id) => () => this.agents.remove(id)),
      ...made.blocks.map((id) => () => this.blocks.remove(id)),
      ...made.tools.map((id) => () => this.tools.remove(id)),
    ];
    for (const step of steps)
      await step().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'an interrupted agent import left something it could not remove'),
      );
  }

  /** The agent's whole conversation, oldest first. */
  private async conversation(agentId: string): Promise<MessageResponseDto[]> {
    const all: MessageResponseDto[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.messages.list(agentId, { limit: 100, cursor, order: 'asc' });
      all.push(...page.data);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    return all;
  }
}
