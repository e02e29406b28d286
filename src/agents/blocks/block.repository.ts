import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import { Page, toPage } from '../../common/pagination/page.js';
import { entityChanges } from '../../database/entity-changes.js';
import { Block } from '../entities/block.entity.js';
import { applyKeysetWindow } from '../../common/pagination/keyset-window.js';
import type { KeysetWindow } from '../../common/pagination/keyset-window.js';

export type BlockChanges = Partial<Pick<Block, 'label' | 'value' | 'limit' | 'description' | 'readOnly' | 'metadata'>>;

/**
 * Every query of core memory blocks and their attachments, filtered by the caller's
 * organization. An attachment row is reached only through a block of that organization. Plain
 * CRUD through the entity (TypeORM maps the columns); the attachments table, which has no entity
 * of its own, through the query builder (docs/ARCHITECTURE.md, "Data access").
 */
@Injectable()
export class BlockRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  async insert(m: EntityManager, blocks: Block[]): Promise<void> {
    if (blocks.length > 0) await m.getRepository(Block).insert(blocks.map((b) => entityChanges<Block>(b)));
  }

  find(id: string, m: EntityManager = this.dataSource.manager): Promise<Block | null> {
    return m.getRepository(Block).findOneBy({ id, organizationId: this.tenant.organizationId });
  }

  /** The block row locked for a change in this transaction. */
  findForUpdate(m: EntityManager, id: string): Promise<Block | null> {
    return m
      .getRepository(Block)
      .findOne({ where: { id, organizationId: this.tenant.organizationId }, lock: { mode: 'pessimistic_write' } });
  }

  async page(limit: number, cursor: string | undefined, label: string | undefined): Promise<Page<Block>> {
    const query = this.blocks(this.dataSource.manager)
      .orderBy('b.id')
      .limit(limit + 1);
    if (cursor) query.andWhere('b.id > :cursor', { cursor });
    if (label) query.andWhere('b.label = :label', { label });
    return toPage(await query.getMany(), limit);
  }

  /** A window of the organization's blocks (Letta's lists: `after`/`before` in either order), of one label if given. */
  async window(w: KeysetWindow, label: string | undefined): Promise<Block[]> {
    const query = this.blocks(this.dataSource.manager);
    const inOrder = applyKeysetWindow(query, 'b.id', w);
    if (label !== undefined) query.andWhere('b.label = :label', { label });
    return inOrder(await query.getMany());
  }

  /** The blocks attached to an agent of the caller's organization, in the order they were attached. */
  ofAgent(agentId: string, m: EntityManager = this.dataSource.manager): Promise<Block[]> {
    return this.blocks(m)
      .innerJoin('agent_blocks', 'ab', 'ab.block_id = b.id')
      .andWhere('ab.agent_id = :agentId', { agentId })
      .orderBy('ab.position')
      .getMany();
  }

  /** The blocks of several agents of the caller's organization, each list in prompt order. */
  async ofAgents(agentIds: string[]): Promise<Map<string, Block[]>> {
    const result = new Map<string, Block[]>(agentIds.map((id) => [id, []]));
    if (agentIds.length === 0) return result;
    // A block shared by several agents is one entity: the attachments first, then the blocks by id.
    const attached = await this.attachments(this.dataSource.manager)
      .select(['ab.agent_id AS agent_id', 'ab.block_id AS block_id'])
      .andWhere('ab.agent_id IN (:...agentIds)', { agentIds })
      .orderBy('ab.position')
      .getRawMany<{ agent_id: string; block_id: string }>();
    const ids = [...new Set(attached.map((a) => a.block_id))];
    const blocks = ids.length
      ? await this.dataSource.getRepository(Block).findBy({ id: In(ids), organizationId: this.tenant.organizationId })
      : [];
    const byId = new Map(blocks.map((b) => [b.id, b]));
    for (const a of attached) {
      const block = byId.get(a.block_id);
      if (block) result.get(a.agent_id)?.push(block);
    }
    return result;
  }

  ofAgentByLabel(agentId: string, label: string): Promise<Block | null> {
    return this.blocks(this.dataSource.manager)
      .innerJoin('agent_blocks', 'ab', 'ab.block_id = b.id')
      .andWhere('ab.agent_id = :agentId AND ab.label = :label', { agentId, label })
      .getOne();
  }

  /** Agent ids each block is attached to. */
  async agentIdsOf(blockIds: string[], m: EntityManager = this.dataSource.manager): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(blockIds.map((id) => [id, []]));
    if (blockIds.length === 0) return result;
    const rows = await this.attachments(m)
      .select(['ab.block_id AS block_id', 'ab.agent_id AS agent_id'])
      .andWhere('ab.block_id IN (:...blockIds)', { blockIds })
      .orderBy('ab.position')
      .getRawMany<{ block_id: string; agent_id: string }>();
    for (const r of rows) result.get(r.block_id)?.push(r.agent_id);
    return result;
  }

  /** Attaches blocks of the caller's organization to an agent (the caller checked both belong to it). */
  async attach(m: EntityManager, agentId: string, blocks: Pick<Block, 'id' | 'label'>[]): Promise<void> {
    if (blocks.length === 0) return;
    await m
      .createQueryBuilder()
      .insert()
      .into('agent_blocks', ['agent_id', 'block_id', 'label'])
      .values(blocks.map((b) => ({ agent_id: agentId, block_id: b.id, label: b.label })))
      .execute();
  }

  async detach(agentId: string, blockId: string): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .delete()
      .from('agent_blocks')
      .where('agent_id = :agentId AND block_id = :blockId', { agentId, blockId })
      .andWhere('block_id IN (SELECT id FROM blocks WHERE organization_id = :organizationId)', {
        organizationId: this.tenant.organizationId,
      })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  /** Detaches from an agent every block of the organization except `keepIds`, in the caller's transaction. */
  async detachAllBut(m: EntityManager, agentId: string, keepIds: string[]): Promise<void> {
    const query = m
      .createQueryBuilder()
      .delete()
      .from('agent_blocks')
      .where('agent_id = :agentId', { agentId })
      .andWhere('block_id IN (SELECT id FROM blocks WHERE organization_id = :organizationId)', {
        organizationId: this.tenant.organizationId,
      });
    if (keepIds.length > 0) query.andWhere('block_id NOT IN (:...keepIds)', { keepIds });
    await query.execute();
  }

  async isAttached(agentId: string, blockId: string): Promise<boolean> {
    const count = await this.dataSource
      .createQueryBuilder()
      .from('agent_blocks', 'ab')
      .where('ab.agent_id = :agentId AND ab.block_id = :blockId', { agentId, blockId })
      .getCount();
    return count > 0;
  }

  /** Writes the changes of a block locked by findForUpdate; a new label is copied to its attachments. */
  async update(m: EntityManager, id: string, changes: BlockChanges): Promise<void> {
    await m
      .getRepository(Block)
      .update(
        { id, organizationId: this.tenant.organizationId },
        { ...entityChanges<Block>(changes), updatedAt: () => 'now()' },
      );
    if (changes.label !== undefined)
      await m
        .createQueryBuilder()
        .update('agent_blocks')
        .set({ label: changes.label })
        .where('block_id = :id', { id })
        .execute();
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(Block)
      .delete({ id, organizationId: this.tenant.organizationId });
    return (result.affected ?? 0) > 0;
  }

  /** The organization's blocks, as `b`. */
  private blocks(m: EntityManager) {
    return m
      .getRepository(Block)
      .createQueryBuilder('b')
      .where('b.organizationId = :organizationId', { organizationId: this.tenant.organizationId });
  }

  /** Attachments of the organization's blocks, as `ab`. */
  private attachments(m: EntityManager) {
    return m
      .createQueryBuilder()
      .from('agent_blocks', 'ab')
      .innerJoin('blocks', 'b', 'b.id = ab.block_id')
      .where('b.organization_id = :organizationId', { organizationId: this.tenant.organizationId });
  }
}
