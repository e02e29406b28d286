import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TenantContext } from '../../common/context/tenant-context.js';
import { Page, toPage } from '../../common/pagination/page.js';
import { returnedRows } from '../../database/returned-rows.js';
import type { Returned } from '../../database/returned-rows.js';
import { Block } from '../entities/block.entity.js';

interface BlockRow {
  id: string;
  organization_id: string;
  label: string;
  value: string;
  char_limit: number;
  description: string | null;
  read_only: boolean;
  metadata: Record<string, unknown>;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS =
  'b.id, b.organization_id, b.label, b.value, b.char_limit, b.description, b.read_only, b.metadata, b.created_at, b.updated_at';

function toBlock(r: BlockRow): Block {
  return {
    id: r.id,
    organizationId: r.organization_id,
    label: r.label,
    value: r.value,
    limit: r.char_limit,
    description: r.description,
    readOnly: r.read_only,
    metadata: r.metadata,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

export type BlockChanges = Partial<Pick<Block, 'label' | 'value' | 'limit' | 'description' | 'readOnly' | 'metadata'>>;

/**
 * Every query of core memory blocks and their attachments, filtered by the caller's
 * organization. An attachment row is reached only through a block of that organization.
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
    for (const b of blocks) {
      await m.query(
        `INSERT INTO blocks (id, organization_id, label, value, char_limit, description, read_only, metadata, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          b.id,
          b.organizationId,
          b.label,
          b.value,
          b.limit,
          b.description,
          b.readOnly,
          JSON.stringify(b.metadata),
          b.createdAt,
          b.updatedAt,
        ],
      );
    }
  }

  async find(id: string, m: EntityManager = this.dataSource.manager): Promise<Block | null> {
    const rows: BlockRow[] = await m.query(
      `SELECT ${COLUMNS} FROM blocks b WHERE b.id = $1 AND b.organization_id = $2`,
      [id, this.tenant.organizationId],
    );
    return rows[0] ? toBlock(rows[0]) : null;
  }

  /** The block row locked for a change in this transaction. */
  async findForUpdate(m: EntityManager, id: string): Promise<Block | null> {
    const rows: BlockRow[] = await m.query(
      `SELECT ${COLUMNS} FROM blocks b WHERE b.id = $1 AND b.organization_id = $2 FOR UPDATE`,
      [id, this.tenant.organizationId],
    );
    return rows[0] ? toBlock(rows[0]) : null;
  }

  async page(limit: number, cursor: string | undefined, label: string | undefined): Promise<Page<Block>> {
    const params: unknown[] = [this.tenant.organizationId, limit + 1];
    let where = 'b.organization_id = $1';
    if (cursor) where += ` AND b.id > $${params.push(cursor)}`;
    if (label) where += ` AND b.label = $${params.push(label)}`;
    const rows: BlockRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM blocks b WHERE ${where} ORDER BY b.id LIMIT $2`,
      params,
    );
    return toPage(rows.map(toBlock), limit);
  }

  /** The blocks attached to an agent of the caller's organization, in the order they were attached. */
  async ofAgent(agentId: string, m: EntityManager = this.dataSource.manager): Promise<Block[]> {
    const rows: BlockRow[] = await m.query(
      `SELECT ${COLUMNS} FROM agent_blocks ab JOIN blocks b ON b.id = ab.block_id
        WHERE ab.agent_id = $1 AND b.organization_id = $2 ORDER BY ab.position`,
      [agentId, this.tenant.organizationId],
    );
    return rows.map(toBlock);
  }

  /** The blocks of several agents of the caller's organization, each list in prompt order (one query). */
  async ofAgents(agentIds: string[]): Promise<Map<string, Block[]>> {
    const result = new Map<string, Block[]>(agentIds.map((id) => [id, []]));
    if (agentIds.length === 0) return result;
    const rows: (BlockRow & { agent_id: string })[] = await this.dataSource.query(
      `SELECT ab.agent_id, ${COLUMNS} FROM agent_blocks ab JOIN blocks b ON b.id = ab.block_id
        WHERE ab.agent_id = ANY($1::uuid[]) AND b.organization_id = $2 ORDER BY ab.position`,
      [agentIds, this.tenant.organizationId],
    );
    for (const r of rows) result.get(r.agent_id)?.push(toBlock(r));
    return result;
  }

  async ofAgentByLabel(agentId: string, label: string): Promise<Block | null> {
    const rows: BlockRow[] = await this.dataSource.query(
      `SELECT ${COLUMNS} FROM agent_blocks ab JOIN blocks b ON b.id = ab.block_id
        WHERE ab.agent_id = $1 AND ab.label = $2 AND b.organization_id = $3`,
      [agentId, label, this.tenant.organizationId],
    );
    return rows[0] ? toBlock(rows[0]) : null;
  }

  /** Agent ids each block is attached to. */
  async agentIdsOf(blockIds: string[], m: EntityManager = this.dataSource.manager): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>(blockIds.map((id) => [id, []]));
    if (blockIds.length === 0) return result;
    const rows: { block_id: string; agent_id: string }[] = await m.query(
      `SELECT ab.block_id, ab.agent_id FROM agent_blocks ab JOIN blocks b ON b.id = ab.block_id
        WHERE ab.block_id = ANY($1::uuid[]) AND b.organization_id = $2 ORDER BY ab.position`,
      [blockIds, this.tenant.organizationId],
    );
    for (const r of rows) result.get(r.block_id)?.push(r.agent_id);
    return result;
  }

  /** Attaches blocks of the caller's organization to an agent (the caller checked both belong to it). */
  async attach(m: EntityManager, agentId: string, blocks: Pick<Block, 'id' | 'label'>[]): Promise<void> {
    for (const b of blocks) {
      await m.query(`INSERT INTO agent_blocks (agent_id, block_id, label) VALUES ($1, $2, $3)`, [
        agentId,
        b.id,
        b.label,
      ]);
    }
  }

  async detach(agentId: string, blockId: string): Promise<boolean> {
    const result = await this.dataSource.query<Returned<{ block_id: string }>>(
      `DELETE FROM agent_blocks ab USING blocks b WHERE ab.agent_id = $1 AND ab.block_id = $2 AND b.id = ab.block_id AND b.organization_id = $3 RETURNING ab.block_id`,
      [agentId, blockId, this.tenant.organizationId],
    );
    return returnedRows(result).length > 0;
  }

  async isAttached(agentId: string, blockId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM agent_blocks WHERE agent_id = $1 AND block_id = $2`,
      [agentId, blockId],
    );
    return rows.length > 0;
  }

  /** Writes the changes of a block locked by findForUpdate; a new label is copied to its attachments. */
  async update(m: EntityManager, id: string, changes: BlockChanges): Promise<void> {
    const sets: string[] = [];
    const params: unknown[] = [id, this.tenant.organizationId];
    const column: Record<keyof BlockChanges, string> = {
      label: 'label',
      value: 'value',
      limit: 'char_limit',
      description: 'description',
      readOnly: 'read_only',
      metadata: 'metadata',
    };
    for (const [key, value] of Object.entries(changes) as [keyof BlockChanges, unknown][]) {
      if (value === undefined) continue;
      sets.push(`${column[key]} = $${params.push(key === 'metadata' ? JSON.stringify(value) : value)}`);
    }
    await m.query(
      `UPDATE blocks SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 AND organization_id = $2`,
      params,
    );
    if (changes.label !== undefined)
      await m.query(`UPDATE agent_blocks SET label = $2 WHERE block_id = $1`, [id, changes.label]);
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.dataSource.query<Returned<{ id: string }>>(
      `DELETE FROM blocks WHERE id = $1 AND organization_id = $2 RETURNING id`,
      [id, this.tenant.organizationId],
    );
    return returnedRows(result).length > 0;
  }
}
