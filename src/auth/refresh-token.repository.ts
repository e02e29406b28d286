import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull } from 'typeorm';
import { RefreshToken } from './entities/refresh-token.entity.js';

/**
 * Refresh tokens are found by the hash of the secret the caller presents (before any tenant is
 * known), so these queries are keyed by token, family or user rather than by organization.
 */
@Injectable()
export class RefreshTokenRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(token: RefreshToken, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.insert(RefreshToken, token);
  }

  /** Locks the row so two concurrent uses of one token cannot both rotate it. */
  async findByHashForUpdate(tokenHash: string, manager: EntityManager): Promise<RefreshToken | null> {
    return manager.findOne(RefreshToken, { where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
  }

  async markUsed(id: string, manager: EntityManager): Promise<void> {
    await manager.update(RefreshToken, { id }, { usedAt: new Date() });
  }

  async revokeFamily(familyId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(RefreshToken, { familyId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }

  async revokeAllOfUser(userId: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.update(RefreshToken, { userId, revokedAt: IsNull() }, { revokedAt: new Date() });
  }
}
