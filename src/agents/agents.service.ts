import { Injectable } from '@nestjs/common';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { EventBus } from '../common/events/event-bus.js';
import { uuidv7 } from '../common/ids.js';
import { Page } from '../common/pagination/page.js';
import { ChatModelService } from '../llm/chat-model.service.js';
import { ToolResponseDto } from '../tools/dto/tool-response.dto.js';
import { ToolsService } from '../tools/tools.service.js';
import { agentUpdated } from './agent.events.js';
import type { AgentUpdatedPayload } from './agent.events.js';
import { AgentHotReads } from './agent-hot-reads.js';
import { AgentRepository } from './agent.repository.js';
import type { AgentWindow } from './agent.repository.js';
import { AgentError, AgentErrorCode } from './agents.errors.js';
import { BlocksService, DEFAULT_BLOCKS } from './blocks/blocks.service.js';
import type { AgentModelDto } from './dto/agent-model.dto.js';
import { AgentResponseDto } from './dto/agent-response.dto.js';
import type { CreateAgentDto } from './dto/create-agent.dto.js';
import type { UpdateAgentDto } from './dto/update-agent.dto.js';
import type { Agent, AgentModelSettings } from './entities/agent.entity.js';

/** An agent's changes: the API's fields, and (for Letta's `block_ids`) the blocks it should have exactly. */
export type AgentChanges = UpdateAgentDto & { blockIds?: string[] };

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly blocks: BlocksService,
    private readonly chat: ChatModelService,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
    private readonly tools: ToolsService,
    private readonly hot: AgentHotReads,
  ) {}

  /** Creates an agent with its blocks (the given ones, or empty `persona` and `human`) in one transaction. */
  async create(input: CreateAgentDto): Promise<AgentResponseDto> {
    const now = new Date();
    const agent: Agent = {
      id: uuidv7(),
      organizationId: this.tenant.organizationId,
      name: input.name,
      description: input.description ?? null,
      system: input.system ?? null,
      model: this.checkModel(input.model),
      toolIds: await this.checkTools(input.toolIds ?? []),
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    const blockIds = [...new Set(input.blockIds ?? [])];
    const created = this.blocks.build(input.blocks ?? (blockIds.length > 0 ? [] : DEFAULT_BLOCKS), 'blocks');
    await this.agents.transaction(async (m) => {
      await this.agents.insert(m, agent);
      await this.blocks.attachAll(m, agent.id, created, blockIds);
    });
    this.events.publish([agentUpdated(agent.organizationId, agent.id, 'created')]);
    return this.respond(agent);
  }

  async list(limit: number, cursor?: string): Promise<Page<AgentResponseDto>> {
    const page = await this.agents.page(limit, cursor);
    const blocks = await this.blocks.ofAgents(page.data.map((a) => a.id));
    return {
      data: page.data.map((a) => AgentResponseDto.from(a, blocks.get(a.id) ?? [])),
      nextCursor: page.nextCursor,
    };
  }

  /** Agents between exclusive id bounds, in either order (for clients that page by `before`/`after`). */
  async window(w: AgentWindow): Promise<AgentResponseDto[]> {
    const agents = await this.agents.window(w);
    const blocks = await this.blocks.ofAgents(agents.map((a) => a.id));
    return agents.map((a) => AgentResponseDto.from(a, blocks.get(a.id) ?? []));
  }

  async get(id: string): Promise<AgentResponseDto> {
    return this.respond(await this.find(id));
  }

  /** The caller's agent, or a 404. */
  async find(id: string): Promise<Agent> {
    const agent = await this.agents.find(id);
    if (!agent) throw CommonError.notFound('agent', id);
    return agent;
  }

  /** Whether the agent belongs to the caller's organization (realtime subscriptions ask this). */
  async exists(id: string): Promise<boolean> {
    return (await this.agents.find(id)) !== null;
  }

  /**
   * Changes the agent in one transaction: its fields, and with `blockIds` its blocks (those not
   * listed are detached and kept, new ones attached). A refused change (a missing block, a label
   * taken twice) changes nothing.
   */
  async update(id: string, input: AgentChanges): Promise<AgentResponseDto> {
    const { blockIds, ...fields } = input;
    const changes = {
      ...fields,
      ...(fields.model !== undefined ? { model: this.checkModel(fields.model) } : {}),
      ...(fields.toolIds ? { toolIds: await this.checkTools(fields.toolIds) } : {}),
    };
    const found = await this.agents.transaction(async (m) => {
      if (!(await this.agents.update(m, id, changes))) return false;
      if (blockIds) await this.blocks.replaceAttachments(m, id, blockIds);
      return true;
    });
    if (!found) throw CommonError.notFound('agent', id);
    await this.announce(id, 'updated');
    return this.get(id);
  }

  /** Deletes the agent and its messages; its blocks are detached and stay (others may share them). */
  async remove(id: string): Promise<void> {
    if (!(await this.agents.delete(id))) throw CommonError.notFound('agent', id);
    await this.announce(id, 'deleted');
  }

  async attachBlock(id: string, blockId: string): Promise<AgentResponseDto> {
    await this.find(id);
    await this.blocks.attach(id, blockId);
    await this.announce(id, 'updated');
    return this.get(id);
  }

  async detachBlock(id: string, blockId: string): Promise<AgentResponseDto> {
    await this.find(id);
    await this.blocks.detach(id, blockId);
    await this.announce(id, 'updated');
    return this.get(id);
  }

  /** The agent's tools, in the order they were attached. */
  async listTools(id: string): Promise<ToolResponseDto[]> {
    const agent = await this.find(id);
    return (await this.tools.findMany(agent.toolIds)).map(ToolResponseDto.from);
  }

  async attachTool(id: string, toolId: string): Promise<AgentResponseDto> {
    await this.find(id);
    await this.tools.find(toolId);
    await this.agents.transaction((m) => this.agents.attachTools(m, id, [toolId]));
    await this.announce(id, 'updated');
    return this.get(id);
  }

  async detachTool(id: string, toolId: string): Promise<AgentResponseDto> {
    await this.find(id);
    const detached = await this.agents.transaction((m) => this.agents.detachTools(m, id, [toolId]));
    if (detached === 0) throw CommonError.notFound('tool attached to this agent', toolId);
    await this.announce(id, 'updated');
    return this.get(id);
  }

  /** toolIds without repeats, each a tool of the caller's organization (else a 400 naming it). */
  private async checkTools(toolIds: string[]): Promise<string[]> {
    const ids = [...new Set(toolIds)];
    const found = new Set((await this.tools.findMany(ids)).map((t) => t.id));
    const missing = ids.find((id) => !found.has(id));
    if (missing)
      throw new AgentError(
        AgentErrorCode.InvalidInput,
        `toolIds[${toolIds.indexOf(missing)}]: there is no tool ${missing} in this organization`,
      );
    return ids;
  }

  /**
   * After a change of the agent committed: no process serves its cached turn reads any more
   * (awaited, so before the change is answered), then the event.
   */
  private async announce(id: string, status: AgentUpdatedPayload['status']): Promise<void> {
    await this.hot.changed([id]);
    this.events.publish([agentUpdated(this.tenant.organizationId, id, status)]);
  }

  private async respond(agent: Agent): Promise<AgentResponseDto> {
    return AgentResponseDto.from(agent, await this.blocks.ofAgent(agent.id));
  }

  /** Model settings as stored: only the given fields; a provider the server cannot reach is refused. */
  private checkModel(input: AgentModelDto | undefined): AgentModelSettings {
    const model = Object.fromEntries(
      Object.entries(input ?? {}).filter(([, v]) => v !== undefined),
    ) as AgentModelSettings;
    if (model.provider && !this.chat.providers.includes(model.provider)) {
      throw new AgentError(
        AgentErrorCode.InvalidInput,
        `model.provider ${model.provider} is not configured on this server (available: ${this.chat.providers.join(', ') || 'none'})`,
      );
    }
    if (model.provider && model.provider !== this.chat.defaultProvider && !model.model) {
      throw new AgentError(
        AgentErrorCode.InvalidInput,
        `model.model is required with model.provider ${model.provider}`,
      );
    }
    if (model.maxTokens !== undefined && model.contextWindow !== undefined && model.maxTokens >= model.contextWindow) {
      throw new AgentError(
        AgentErrorCode.InvalidInput,
        `model.maxTokens (${model.maxTokens}) must be below model.contextWindow (${model.contextWindow})`,
      );
    }
    return model;
  }
}
