import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { returnedRows } from '../database/returned-rows.js';
import { Agent } from './entities/agent.entity.js';
import { applyKeysetWindow } from '../common/pagination/keyset-window.js';
import type { KeysetWindow } from '../common/pagination/keyset-window.js';

/** A page of agents by keyset in either direction, optionally narrowed. */
export interface AgentWindow extends KeysetWindow {
  /** Only agents of this name. */
  name?: string;
  /** Only agents whose metadata holds, at `key`, a list with any (or all) of `values`. */
  metadataList?: { key: string; values: string[]; match: 'any' | 'all' };
  /** Only agents this block is attached to. */
  blockId?: string;
}

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
    const { toolIds, ...row } = agent;
    // TypeORM's partial type cannot follow a jsonb Record<string, unknown>; the row is a whole Agent.
    await m.insert(Agent, row as QueryDeepPartialEntity<Agent>);
    await this.attachTools(m, agent.id, toolIds);
  }

  async find(id: string): Promise<Agent | null> {
    const agent = await this.dataSource.manager.findOneBy(Agent, { id, organizationId: this.tenant.organizationId });
    return agent ? (await this.withTools([agent]))[0] : null;
  }

  async page(limit: number, cursor?: string): Promise<Page<Agent>> {
    const rows = await this.dataSource.manager.find(Agent, {
      where: { organizationId: this.tenant.organizationId, ...(cursor ? { id: MoreThan(cursor) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(await this.withTools(rows), limit);
  }

  /**
   * Keyset paging in either direction (Letta's lists): `after` and `before` are exclusive bounds
   * in `order`. Given `before` alone, the page is the `limit` agents just before it, still in `order`.
   */
  async window(w: AgentWindow): Promise<Agent[]> {
    const query = this.dataSource.manager
      .createQueryBuilder(Agent, 'a')
      .where('a.organizationId = :organizationId', { organizationId: this.tenant.organizationId });
    const inOrder = applyKeysetWindow(query, 'a.id', w);
    if (w.name !== undefined) query.andWhere('a.name = :name', { name: w.name });
    if (w.blockId !== undefined)
      query.andWhere('EXISTS (SELECT 1 FROM agent_blocks ab WHERE ab.agent_id = a.id AND ab.block_id = :blockId)', {
        blockId: w.blockId,
      });
    if (w.metadataList && w.metadataList.values.length > 0) {
      // jsonb ?| (any) / ?& (all): whether the list at metadata[key] holds the values as strings.
      const { key, values, match } = w.metadataList;
      query.andWhere(`a.metadata -> :listKey ${match === 'all' ? '?&' : '?|'} CAST(:listValues AS text[])`, {
        listKey: key,
        listValues: values,
      });
    }
    return this.withTools(inOrder(await query.getMany()));
  }

  /** Attaches tools (the caller checked they are the organization's) after those the agent has; already attached ones stay where they are. */
  async attachTools(m: EntityManager, agentId: string, toolIds: string[]): Promise<void> {
    if (toolIds.length === 0) return;
    await m.query(
      `INSERT INTO agent_tools (agent_id, tool_id) SELECT $1, t.id FROM unnest($2::uuid[]) WITH ORDINALITY AS t(id, n) ORDER BY t.n ON CONFLICT DO NOTHING`,
      [agentId, toolIds],
    );
  }

  /** Detaches tools; the number detached. */
  async detachTools(m: EntityManager, agentId: string, toolIds: string[] | 'all'): Promise<number> {
    const rows = returnedRows<{ tool_id: string }>(
      toolIds === 'all'
        ? await m.query(`DELETE FROM agent_tools WHERE agent_id = $1 RETURNING tool_id`, [agentId])
        : await m.query(`DELETE FROM agent_tools WHERE agent_id = $1 AND tool_id = ANY($2::uuid[]) RETURNING tool_id`, [
            agentId,
            toolIds,
          ]),
    );
    return rows.length;
  }

  /** Fills each agent's toolIds (one query for all of them). */
  private async withTools(agents: Agent[]): Promise<Agent[]> {
    if (agents.length === 0) return agents;
    const rows: { agent_id: string; tool_id: string }[] = await this.dataSource.query(
      `SELECT agent_id, tool_id FROM agent_tools WHERE agent_id = ANY($1::uuid[]) ORDER BY position`,
      [agents.map((a) => a.id)],
    );
    for (const a of agents) a.toolIds = rows.filter((r) => r.agent_id === a.id).map((r) => r.tool_id);
    return agents;
  }

  /** Saves the changed fields (a new toolIds replaces the agent's tools) in the caller's transaction; false if the agent is not the caller's. */
  async update(
    m: EntityManager,
    id: string,
    changes: Partial<Pick<Agent, 'name' | 'description' | 'system' | 'metadata' | 'model' | 'toolIds'>>,
  ): Promise<boolean> {
    const { toolIds, ...fields } = changes;
    const result = await m.update(Agent, { id, organizationId: this.tenant.organizationId }, {
      ...fields,
      updatedAt: new Date(),
    } as QueryDeepPartialEntity<Agent>);
    if ((result.affected ?? 0) === 0) return false;
    if (toolIds) {
      await this.detachTools(m, id, 'all');
      await this.attachTools(m, id, toolIds);
    }
    return true;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.manager.delete(Agent, { id, organizationId: this.tenant.organizationId });
    return (result.affected ?? 0) > 0;
  }
}
