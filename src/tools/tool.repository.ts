import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, In, LessThan } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { entityChanges } from '../database/entity-changes.js';
import { Tool } from './entities/tool.entity.js';
import { ToolRun } from './entities/tool-run.entity.js';
import { applyKeysetWindow } from '../common/pagination/keyset-window.js';
import type { KeysetWindow } from '../common/pagination/keyset-window.js';

export type ToolChanges = Partial<Omit<Tool, 'id' | 'organizationId' | 'createdAt' | 'updatedAt'>>;

/**
 * Every query of tools and their runs, filtered by the caller's organization: the entity API,
 * and the query builder for the tag filters (PostgreSQL's array operators) and keyset pages.
 */
@Injectable()
export class ToolRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(t: Tool): Promise<void> {
    await this.tools.insert(entityChanges<Tool>(t));
  }

  find(id: string): Promise<Tool | null> {
    return this.tools.findOneBy({ id, organizationId: this.tenant.organizationId });
  }

  /** The caller's tools among `ids`, in the order of `ids`. */
  async findMany(ids: string[]): Promise<Tool[]> {
    if (ids.length === 0) return [];
    const found = await this.tools.findBy({ id: In(ids), organizationId: this.tenant.organizationId });
    const byId = new Map(found.map((t) => [t.id, t]));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  /**
   * A page in id order; `tags` narrows it to tools holding any (`&&`) or all (`@>`) of them,
   * `name` to one name.
   */
  async page(
    limit: number,
    cursor: string | undefined,
    filter: { tags?: string[]; match: 'any' | 'all'; name?: string },
  ): Promise<Page<Tool>> {
    const query = this.tools
      .createQueryBuilder('t')
      .where('t.organizationId = :organizationId', { organizationId: this.tenant.organizationId })
      .orderBy('t.id')
      .limit(limit + 1);
    if (cursor) query.andWhere('t.id > :cursor', { cursor });
    if (filter.tags && filter.tags.length > 0)
      query.andWhere(`t.tags ${filter.match === 'all' ? '@>' : '&&'} CAST(:tags AS text[])`, { tags: filter.tags });
    if (filter.name !== undefined) query.andWhere('t.name = :name', { name: filter.name });
    return toPage(await query.getMany(), limit);
  }

  /** The caller's tools of these names (one query). */
  findByNames(names: string[]): Promise<Tool[]> {
    if (names.length === 0) return Promise.resolve([]);
    return this.tools.findBy({ name: In(names), organizationId: this.tenant.organizationId });
  }

  /** A window by keyset in either direction (Letta's lists; see applyKeysetWindow), optionally of one name. */
  async window(w: KeysetWindow, name: string | undefined): Promise<Tool[]> {
    const query = this.tools
      .createQueryBuilder('t')
      .where('t.organizationId = :organizationId', { organizationId: this.tenant.organizationId });
    if (name !== undefined) query.andWhere('t.name = :name', { name });
    const inOrder = applyKeysetWindow(query, 't.id', w);
    return inOrder(await query.getMany());
  }

  /** Saves the changed fields; false if the tool is not the caller's. */
  async update(id: string, changes: ToolChanges, at: Date): Promise<boolean> {
    const result = await this.tools.update(
      { id, organizationId: this.tenant.organizationId },
      entityChanges<Tool>({ ...changes, updatedAt: at }),
    );
    return (result.affected ?? 0) > 0;
  }

  async delete(id: string): Promise<boolean> {
    const result = await this.tools.delete({ id, organizationId: this.tenant.organizationId });
    return (result.affected ?? 0) > 0;
  }

  async insertRun(r: ToolRun): Promise<void> {
    await this.runsTable.insert(r);
  }

  /** A tool's runs, newest first. */
  async runs(
    toolId: string,
    limit: number,
    cursor: string | undefined,
    status: ToolRun['status'] | undefined,
  ): Promise<Page<ToolRun>> {
    const found = await this.runsTable.find({
      where: {
        organizationId: this.tenant.organizationId,
        toolId,
        ...(cursor ? { id: LessThan(cursor) } : {}),
        ...(status ? { status } : {}),
      },
      order: { id: 'DESC' },
      take: limit + 1,
    });
    return toPage(found, limit);
  }

  /** Deletes run records older than `days`, across organizations (maintenance). */
  async pruneRuns(days: number): Promise<number> {
    const result = await this.runsTable
      .createQueryBuilder()
      .delete()
      .where('created_at < now() - make_interval(days => :days)', { days })
      .execute();
    return result.affected ?? 0;
  }

  private get tools() {
    return this.dataSource.getRepository(Tool);
  }

  private get runsTable() {
    return this.dataSource.getRepository(ToolRun);
  }
}
