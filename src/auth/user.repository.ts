import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, MoreThan } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { User } from './entities/user.entity.js';

/**
 * Queries of the users table. Methods that take no organization filter on the caller's
 * (TenantContext); the few that look a user up across tenants say so in their name.
 */
@Injectable()
export class UserRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  private get manager(): EntityManager {
    return this.dataSource.manager;
  }

  /** Login and registration: emails are unique across the installation. */
  async findByEmailAcrossTenants(email: string): Promise<User | null> {
    return this.manager.createQueryBuilder(User, 'u').where('lower(u.email) = lower(:email)', { email }).getOne();
  }

  /** Authentication of a token whose signature already names the user and organization. */
  async findForToken(id: string, organizationId: string, manager: EntityManager = this.manager): Promise<User | null> {
    return manager.findOneBy(User, { id, organizationId });
  }

  async insert(user: User, manager: EntityManager = this.manager): Promise<void> {
    await manager.insert(User, user);
  }

  async findInTenant(id: string, manager: EntityManager = this.manager): Promise<User | null> {
    return manager.findOneBy(User, { id, organizationId: this.tenant.organizationId });
  }

  async pageInTenant(limit: number, cursor?: string): Promise<Page<User>> {
    const rows = await this.manager.find(User, {
      where: { organizationId: this.tenant.organizationId, ...(cursor ? { id: MoreThan(cursor) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  async update(
    id: string,
    changes: Partial<Pick<User, 'name' | 'role' | 'passwordHash'>>,
    manager: EntityManager = this.manager,
  ): Promise<void> {
    await manager.update(
      User,
      { id, organizationId: this.tenant.organizationId },
      { ...changes, updatedAt: new Date() },
    );
  }

  async delete(id: string, manager: EntityManager = this.manager): Promise<void> {
    await manager.delete(User, { id, organizationId: this.tenant.organizationId });
  }

  /**
   * Locks the organization's owners for the rest of the transaction and returns their ids, so
   * two concurrent demotions cannot both pass the "one owner must remain" check.
   */
  async lockOwners(manager: EntityManager): Promise<string[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT id FROM users WHERE organization_id = $1 AND role = 'owner' ORDER BY id FOR UPDATE`,
      [this.tenant.organizationId],
    );
    return rows.map((r) => r.id);
  }
}
