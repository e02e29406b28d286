import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { Agent } from './entities/agent.entity.js';

/** Every query of the agents table, filtered by the caller's organization. */
@Injectable()
export class AgentRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(m: EntityManager, agent: Agent): Promise<void> {
    // TypeORM's partial type cannot follow a jsonb Record<string, unknown>; the row is a whole Agent.
    await m.insert(Agent, agent as QueryDeepPartialEntity<Agent>);
  }

  async find(id: string): Promise<Agent | null> {
    return this.dataSource.manager.findOneBy(Agent, { id, organizationId: this.tenant.organizationId });
  }

  async page(limit: number, cursor?: string): Promise<Page<Agent>> {
    const rows = await this.dataSource.manager.find(Agent, {
      where: { organizationId: this.tenant.organizationId, ...(cursor ? { id: MoreThan(cursor) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  /** Saves the changed fields; false if the agent is not the caller's. */
  async update(id: string, changes: Partial<Pick<Agent, 'name' | 'description' | 'system' | 'metadata' | 'model' | 'toolIds'>>): Promise<boolean> {
    const result = await this.dataSource.manager.update(Agent, { id, organizationId: this.tenant.organizationId }, { ...changes, updatedAt: new Date() } as QueryDeepPartialEntity<Agent>);
    return (result.affected ?? 0) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(Agent, { id, organizationId: this.tenant.organizationId });
    return (result.affected ?? 0) > 0;
  }
}
