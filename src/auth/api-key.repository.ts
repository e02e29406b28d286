import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { ApiKey } from './entities/api-key.entity.js';

@Injectable()
export class ApiKeyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(key: ApiKey): Promise<void> {
    await this.dataSource.manager.insert(ApiKey, key);
  }

  /** Authentication: the key's hash is the only thing a caller presents. */
  async findByHashAcrossTenants(keyHash: string): Promise<ApiKey | null> {
    return this.dataSource.manager.findOneBy(ApiKey, { keyHash });
  }

  async findInTenant(id: string): Promise<ApiKey | null> {
    return this.dataSource.manager.findOneBy(ApiKey, { id, organizationId: this.tenant.organizationId });
  }

  async pageInTenant(limit: number, cursor?: string): Promise<Page<ApiKey>> {
    const rows = await this.dataSource.manager.find(ApiKey, {
      where: { organizationId: this.tenant.organizationId, ...(cursor ? { id: MoreThan(cursor) } : {}) },
      order: { id: 'ASC' },
      take: limit + 1,
    });
    return toPage(rows, limit);
  }

  async revoke(id: string): Promise<void> {
    await this.dataSource.manager.update(
      ApiKey,
      { id, organizationId: this.tenant.organizationId, revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.dataSource.manager.update(ApiKey, { id }, { lastUsedAt: at });
  }
}
