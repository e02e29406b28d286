import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { OrganizationLimits } from './entities/organization-limits.entity.js';

/**
 * Every query of organization_limits. The organization is always given, not read from the
 * caller's context: the installation owner reads and sets other organizations' limits, and
 * each request reads its own organization's before any tenant data (LimitsService checks who may).
 */
@Injectable()
export class LimitsRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  findAcrossTenants(organizationId: string): Promise<OrganizationLimits | null> {
    return this.dataSource.manager.findOneBy(OrganizationLimits, { organizationId });
  }

  async saveAcrossTenants(limits: OrganizationLimits): Promise<void> {
    await this.dataSource.manager.upsert(OrganizationLimits, limits, ['organizationId']);
  }
}
