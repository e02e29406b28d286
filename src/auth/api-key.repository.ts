import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, MoreThan } from 'typeorm';
import type { Role } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { Page, toPage } from '../common/pagination/page.js';
import { ApiKey } from './entities/api-key.entity.js';
import { User } from './entities/user.entity.js';
import type { ApiKeyScope } from './roles.js';

@Injectable()
export class ApiKeyRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tenant: TenantContext,
  ) {}

  async insert(key: ApiKey): Promise<void> {
    await this.dataSource.manager.insert(ApiKey, key);
  }

  /**
   * Authentication: the key's hash is the only thing a caller presents. Reads the creator's
   * current role in the same statement (null when the creator is gone), so a demotion or a
   * deletion holds on the very next request, on every replica.
   */
  async findByHashAcrossTenants(keyHash: string): Promise<{ key: ApiKey; creatorRole: Role | null } | null> {
    const { entities, raw } = await this.dataSource.manager
      .createQueryBuilder(ApiKey, 'k')
      .leftJoin(User, 'u', 'u.id = k.created_by AND u.organization_id = k.organization_id')
      .addSelect('u.role', 'creator_role')
      .where('k.key_hash = :keyHash', { keyHash })
      .getRawAndEntities<{ creator_role: Role | null }>();
    return entities[0] ? { key: entities[0], creatorRole: raw[0]?.creator_role ?? null } : null;
  }

  /** A user's personal keys that still work (demotion trims them, deletion revokes them). */
  async findActivePersonalOf(userId: string, manager: EntityManager): Promise<ApiKey[]> {
    return manager.findBy(ApiKey, {
      createdBy: userId,
      organizationId: this.tenant.organizationId,
      kind: 'personal',
      revokedAt: IsNull(),
    });
  }

  async setScopes(id: string, scopes: ApiKeyScope[], manager: EntityManager): Promise<void> {
    await manager.update(ApiKey, { id, organizationId: this.tenant.organizationId }, { scopes });
  }

  /** Revokes every personal key of a user (in the transaction that deletes them). */
  async revokePersonalOf(userId: string, manager: EntityManager): Promise<void> {
    await manager.update(
      ApiKey,
      { createdBy: userId, organizationId: this.tenant.organizationId, kind: 'personal', revokedAt: IsNull() },
      { revokedAt: new Date() },
    );
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
