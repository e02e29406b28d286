import { Injectable } from '@nestjs/common';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { EventBus } from '../common/events/event-bus.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { agentUpdated } from './agent.events.js';
import { AgentRepository } from './agent.repository.js';
import { AgentResponseDto } from './dto/agent-response.dto.js';
import type { CreateAgentDto } from './dto/create-agent.dto.js';
import type { UpdateAgentDto } from './dto/update-agent.dto.js';

@Injectable()
export class AgentsService {
  constructor(
    private readonly agents: AgentRepository,
    private readonly tenant: TenantContext,
    private readonly events: EventBus,
  ) {}

  async create(input: CreateAgentDto): Promise<AgentResponseDto> {
    const now = new Date();
    const agent = {
      id: uuidv7(),
      organizationId: this.tenant.organizationId,
      name: input.name,
      description: input.description ?? null,
      system: input.system ?? null,
      metadata: input.metadata ?? {},
      createdAt: now,
      updatedAt: now,
    };
    await this.agents.insert(agent);
    this.events.publish([agentUpdated(agent.organizationId, agent.id, 'created')]);
    return AgentResponseDto.from(agent);
  }

  async list(limit: number, cursor?: string): Promise<Page<AgentResponseDto>> {
    return mapPage(await this.agents.page(limit, cursor), AgentResponseDto.from);
  }

  async get(id: string): Promise<AgentResponseDto> {
    const agent = await this.agents.find(id);
    if (!agent) throw CommonError.notFound('agent', id);
    return AgentResponseDto.from(agent);
  }

  /** Whether the agent belongs to the caller's organization (realtime subscriptions ask this). */
  async exists(id: string): Promise<boolean> {
    return (await this.agents.find(id)) !== null;
  }

  async update(id: string, input: UpdateAgentDto): Promise<AgentResponseDto> {
    if (!(await this.agents.update(id, input))) throw CommonError.notFound('agent', id);
    this.events.publish([agentUpdated(this.tenant.organizationId, id, 'updated')]);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    if (!(await this.agents.delete(id))) throw CommonError.notFound('agent', id);
    this.events.publish([agentUpdated(this.tenant.organizationId, id, 'deleted')]);
  }
}
