import { randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AgentsService } from '../../agents/agents.service.js';
import { BlocksService } from '../../agents/blocks/blocks.service.js';
import type { AgentResponseDto } from '../../agents/dto/agent-response.dto.js';
import type { AgentModelSettings } from '../../agents/entities/agent.entity.js';
import { AppConfig } from '../../config/app-config.js';
import { ChatModelService } from '../../llm/chat-model.service.js';
import { BUILT_IN_TOOL_NAMES } from '../../tools/built-in-tool-names.js';
import type { Tool } from '../../tools/entities/tool.entity.js';
import { ToolsService } from '../../tools/tools.service.js';
import type {
  LettaAgentDto,
  LettaCreateAgentDto,
  LettaListAgentsQueryDto,
  LettaUpdateAgentDto,
} from './dto/letta-agent.dto.js';
import type { LettaBlockDto, LettaUpdateBlockDto } from './dto/letta-block.dto.js';
import type { LettaPageQueryDto } from './dto/letta-page-query.dto.js';
import type { LettaToolDto } from './dto/letta-tool.dto.js';
import { LettaError, LettaErrorCode } from './letta.errors.js';
import {
  agentTagsOf,
  blockChanges,
  blockInput,
  TAGS_KEY,
  toLettaBlock,
  toLettaTool,
  withAgentTags,
  withoutAgentTags,
} from './letta-mappers.js';
import { pageWindow, windowOf } from './letta-paging.js';
import { endpointType, modelHandle, parseModelHandle } from './letta-model.js';

/** Letta's built-in tools: AgentMem's loop has memory tools of its own, so these names are skipped in `tools`. */
const LETTA_BUILT_IN_TOOLS = new Set([
  'send_message',
  'conversation_search',
  'core_memory_append',
  'core_memory_replace',
  'archival_memory_insert',
  'archival_memory_search',
  'memory',
  'memory_insert',
  'memory_replace',
  'memory_rethink',
  'memory_finish_edits',
  ...BUILT_IN_TOOL_NAMES,
]);

/** Letta's agents and their core memory, translated onto AgentsService and BlocksService. */
@Injectable()
export class LettaAgentsService {
  constructor(
    private readonly agents: AgentsService,
    private readonly blocks: BlocksService,
    private readonly tools: ToolsService,
    private readonly chat: ChatModelService,
    private readonly config: AppConfig,
  ) {}

  async create(input: LettaCreateAgentDto): Promise<LettaAgentDto> {
    const model = this.modelSettings({}, input);
    const toolIds = [...(await this.checkTools(input.tool_ids ?? [])), ...(await this.toolsNamed(input.tools ?? []))];
    const created = await this.agents.create({
      name: input.name ?? `agent-${randomBytes(4).toString('hex')}`,
      description: input.description,
      system: input.system,
      model,
      toolIds,
      blocks: input.memory_blocks?.map(blockInput),
      blockIds: input.block_ids,
      metadata: withAgentTags(input.metadata ?? {}, input.tags ?? []),
    });
    return this.respond(created);
  }

  async list(query: LettaListAgentsQueryDto): Promise<LettaAgentDto[]> {
    const agents = await this.agents.window({
      ...pageWindow(query, listOrder(query)),
      name: query.name,
      ...(query.tags
        ? { metadataList: { key: TAGS_KEY, values: query.tags, match: query.match_all_tags ? 'all' : 'any' } }
        : {}),
    });
    return this.respondMany(agents);
  }

  async get(id: string): Promise<LettaAgentDto> {
    return this.respond(await this.agents.get(id));
  }

  async update(id: string, input: LettaUpdateAgentDto): Promise<LettaAgentDto> {
    const current = await this.agents.find(id);
    const changesModel =
      input.model !== undefined || input.context_window_limit !== undefined || input.max_tokens !== undefined;
    const tags = input.tags ?? agentTagsOf(current.metadata);
    const metadata =
      input.metadata !== undefined || input.tags !== undefined
        ? withAgentTags(input.metadata ?? withoutAgentTags(current.metadata), tags)
        : undefined;
    await this.agents.update(id, {
      ...definedOnly({ name: input.name, description: input.description, system: input.system }),
      ...(changesModel ? { model: this.modelSettings(current.model, input) } : {}),
      ...(input.tool_ids ? { toolIds: await this.checkTools(input.tool_ids) } : {}),
      ...(metadata ? { metadata } : {}),
      ...(input.block_ids ? { blockIds: input.block_ids } : {}),
    });
    return this.get(id);
  }

  remove(id: string): Promise<void> {
    return this.agents.remove(id);
  }

  /** A page of the agents a block is attached to (Letta's GET /v1/blocks/{id}/agents), oldest first by default. */
  async agentsOfBlock(blockId: string, query: LettaPageQueryDto): Promise<LettaAgentDto[]> {
    await this.blocks.find(blockId);
    return this.respondMany(await this.agents.window({ ...pageWindow(query, 'asc'), blockId }));
  }

  async blocksOf(id: string, query: LettaPageQueryDto): Promise<LettaBlockDto[]> {
    await this.agents.find(id);
    // The blocks of one agent are few (at most 50): paged here, in attachment order.
    const blocks = await this.blocks.ofAgent(id);
    return windowOf(blocks, (b) => b.id, pageWindow(query, 'asc')).map(toLettaBlock);
  }

  async block(id: string, label: string): Promise<LettaBlockDto> {
    await this.agents.find(id);
    return toLettaBlock(await this.blocks.ofAgentByLabel(id, label));
  }

  async updateBlock(id: string, label: string, input: LettaUpdateBlockDto): Promise<LettaBlockDto> {
    await this.agents.find(id);
    return toLettaBlock(await this.blocks.updateOfAgent(id, label, blockChanges(input)));
  }

  async attachBlock(id: string, blockId: string): Promise<LettaAgentDto> {
    return this.respond(await this.agents.attachBlock(id, blockId));
  }

  async detachBlock(id: string, blockId: string): Promise<LettaAgentDto> {
    return this.respond(await this.agents.detachBlock(id, blockId));
  }

  /** A page of the agent's tools, in attachment order by default (one query for the page's tools). */
  async toolsOf(id: string, query: LettaPageQueryDto): Promise<LettaToolDto[]> {
    const agent = await this.agents.find(id);
    const page = windowOf(agent.toolIds, (toolId) => toolId, pageWindow(query, 'asc'));
    return (await this.tools.findMany(page)).map(toLettaTool);
  }

  async attachTool(id: string, toolId: string): Promise<LettaAgentDto> {
    return this.respond(await this.agents.attachTool(id, toolId));
  }

  async detachTool(id: string, toolId: string): Promise<LettaAgentDto> {
    return this.respond(await this.agents.detachTool(id, toolId));
  }

  /**
   * The handle if this server can run it (a known provider that is configured), else undefined:
   * an imported agent made on Letta's cloud then takes the server's default model.
   */
  usableHandle(handle: string | null): string | undefined {
    if (handle === null) return undefined;
    const parsed = parseModelHandle(handle);
    if ('problem' in parsed) return undefined;
    return parsed.provider === undefined || this.chat.providers.includes(parsed.provider) ? handle : undefined;
  }

  /** The agent's model settings after Letta's model fields; a bad handle or sizes are a 400 naming the Letta field. */
  private modelSettings(
    current: AgentModelSettings,
    input: Pick<LettaCreateAgentDto, 'model' | 'context_window_limit' | 'max_tokens'>,
  ): AgentModelSettings {
    let choice: Pick<AgentModelSettings, 'provider' | 'model'> = { provider: current.provider, model: current.model };
    if (input.model !== undefined) {
      const parsed = parseModelHandle(input.model);
      if ('problem' in parsed) throw new LettaError(LettaErrorCode.InvalidInput, parsed.problem);
      if (parsed.provider && !this.chat.providers.includes(parsed.provider))
        throw new LettaError(
          LettaErrorCode.InvalidInput,
          `model: provider ${parsed.provider} is not configured on this server (available: ${this.chat.providers.join(', ') || 'none'})`,
        );
      choice = parsed;
    }
    const settings: AgentModelSettings = {
      ...current,
      provider: choice.provider,
      model: choice.model,
      ...(input.context_window_limit !== undefined ? { contextWindow: input.context_window_limit } : {}),
      ...(input.max_tokens !== undefined ? { maxTokens: input.max_tokens } : {}),
    };
    const window = settings.contextWindow ?? this.config.AGENT_CONTEXT_WINDOW;
    const reply = settings.maxTokens ?? this.config.AGENT_MAX_TOKENS;
    if (reply >= window)
      throw new LettaError(
        LettaErrorCode.InvalidInput,
        `max_tokens (${reply}) must be below context_window_limit (${window})`,
      );
    return definedOnly(settings);
  }

  /** tool_ids without repeats, each a tool of the organization (else a 400 naming it). */
  private async checkTools(ids: string[]): Promise<string[]> {
    const unique = [...new Set(ids)];
    const found = new Set((await this.tools.findMany(unique)).map((t) => t.id));
    const missing = ids.findIndex((id) => !found.has(id));
    if (missing >= 0)
      throw new LettaError(
        LettaErrorCode.InvalidInput,
        `tool_ids.${missing}: there is no tool ${ids[missing]} in this organization`,
      );
    return unique;
  }

  /** Tools by name, looked up in one query; Letta's built-in tool names are skipped (AgentMem's memory tools are always offered). */
  private async toolsNamed(names: string[]): Promise<string[]> {
    const found = await this.tools.findByNames(names.filter((name) => !LETTA_BUILT_IN_TOOLS.has(name)));
    const byName = new Map(found.map((t) => [t.name, t.id]));
    return names.flatMap((name, i) => {
      if (LETTA_BUILT_IN_TOOLS.has(name)) return [];
      const id = byName.get(name);
      if (id === undefined)
        throw new LettaError(
          LettaErrorCode.InvalidInput,
          `tools.${i}: there is no tool named ${name.slice(0, 100)} in this organization`,
        );
      return [id];
    });
  }

  private async respond(agent: AgentResponseDto): Promise<LettaAgentDto> {
    return this.toLetta(agent, await this.tools.findMany(agent.toolIds));
  }

  /** Several agents as Letta's, with one query for all their tools. */
  private async respondMany(agents: AgentResponseDto[]): Promise<LettaAgentDto[]> {
    const tools = await this.tools.findMany([...new Set(agents.flatMap((a) => a.toolIds))]);
    return agents.map((a) => this.toLetta(a, tools));
  }

  private toLetta(a: AgentResponseDto, tools: Tool[]): LettaAgentDto {
    const provider = a.model.provider ?? this.chat.defaultProvider;
    const known = provider === null || provider === 'none' ? null : provider;
    const model = a.model.model ?? this.config.LLM_MODEL ?? '';
    const blocks = a.blocks.map(toLettaBlock);
    const byId = new Map(tools.map((t) => [t.id, t]));
    return {
      id: a.id,
      name: a.name,
      description: a.description,
      system: a.system ?? '',
      agent_type: 'letta_v1_agent',
      model: modelHandle(known, model),
      llm_config: {
        model,
        model_endpoint_type: endpointType(known),
        handle: modelHandle(known, model),
        context_window: a.model.contextWindow ?? this.config.AGENT_CONTEXT_WINDOW,
        max_tokens: a.model.maxTokens ?? this.config.AGENT_MAX_TOKENS,
        temperature: a.model.temperature ?? null,
      },
      embedding: null,
      memory: { blocks },
      blocks,
      tools: a.toolIds.flatMap((id) => {
        const tool = byId.get(id);
        return tool ? [toLettaTool(tool)] : [];
      }),
      tool_ids: a.toolIds,
      tags: agentTagsOf(a.metadata),
      metadata: withoutAgentTags(a.metadata),
      sources: [],
      created_at: a.createdAt.toISOString(),
      updated_at: a.updatedAt.toISOString(),
    };
  }
}

/** The list's order: `order`, or Letta's older `ascending` (a contradiction is a 400); newest first by default. */
function listOrder(query: LettaListAgentsQueryDto): 'asc' | 'desc' {
  const byAscending = query.ascending === undefined ? undefined : query.ascending ? 'asc' : 'desc';
  if (query.order !== undefined && byAscending !== undefined && query.order !== byAscending)
    throw new LettaError(
      LettaErrorCode.InvalidInput,
      `ascending=${String(query.ascending)} contradicts order=${query.order}; give one of them`,
    );
  return query.order ?? byAscending ?? 'desc';
}

/** The object without its undefined fields (the services read a present key as a change). */
function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
