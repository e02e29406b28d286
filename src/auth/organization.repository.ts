import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Organization } from './entities/organization.entity.js';

@Injectable()
export class OrganizationRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(org: Organization, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(Organization, org);
  }

  /** The organization of a user who is logging in (no tenant context yet). */
  async findOfUser(user: { organizationId: string }): Promise<Organization | null> {
    return this.dataSource.manager.findOneBy(Organization, { id: user.organizationId });
  }

  /** The installation's first organization (its owners administer the server). */
  async findFirst(): Promise<Organization | null> {
    const [first] = await this.dataSource.manager.find(Organization, {
      order: { createdAt: 'ASC', id: 'ASC' },
      take: 1,
    });
    return first ?? null;
  }

  /** Whether an organization exists (the installation owner names any). */
  async existsAcrossTenants(id: string): Promise<boolean> {
    return this.dataSource.manager.existsBy(Organization, { id });
  }

  /** The caller's own organization. */
  async findCurrent(): Promise<Organization | null> {
    return this.dataSource.manager.findOneBy(Organization, { id: this.tenant.organizationId });
  }
}
