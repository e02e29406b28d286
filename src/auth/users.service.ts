import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { roleAtLeast } from '../common/context/principal.js';
import type { Role } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { CredentialCache } from './credential-cache.js';
import type { CreateUserDto } from './dto/create-user.dto.js';
import type { UpdateUserDto } from './dto/update-user.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import type { User } from './entities/user.entity.js';
import { PasswordHasher } from './password-hasher.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { lesserRole, roleOfScopes, scopesOfRole } from './roles.js';
import { UserRepository } from './user.repository.js';

/**
 * Members of the caller's organization. Admins manage members; only owners manage owners. A
 * person's personal API keys follow them: trimmed when they are demoted, revoked when removed.
 */
@Injectable()
export class UsersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserRepository,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly hasher: PasswordHasher,
    private readonly tenant: TenantContext,
    private readonly cache: CredentialCache,
  ) {}

  async create(input: CreateUserDto): Promise<UserResponseDto> {
    this.requireRole('admin', 'add users');
    this.requireMayAssign(input.role);
    if (await this.users.findByEmailAcrossTenants(input.email)) throw this.emailTaken(input.email);
    const now = new Date();
    const user: User = {
      id: uuidv7(),
      organizationId: this.tenant.organizationId,
      email: input.email,
      name: input.name,
      passwordHash: await this.hasher.hash(input.password),
      role: input.role,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.users.insert(user);
    } catch (error) {
      if (isUniqueViolation(error)) throw this.emailTaken(input.email);
      throw error;
    }
    return UserResponseDto.from(user);
  }

  async list(limit: number, cursor?: string): Promise<Page<UserResponseDto>> {
    return mapPage(await this.users.pageInTenant(limit, cursor), UserResponseDto.from);
  }

  async get(id: string): Promise<UserResponseDto> {
    return UserResponseDto.from(await this.find(id));
  }

  async update(id: string, input: UpdateUserDto): Promise<UserResponseDto> {
    const principal = this.tenant.principal;
    const self = principal.kind === 'user' && principal.userId === id;
    const target = await this.find(id);
    if (!self) this.requireRole('admin', "change another user's account");
    if (target.role === 'owner' && !self) this.requireRole('owner', 'change an owner');
    if (input.role !== undefined && input.role !== target.role) {
      this.requireRole('admin', 'change roles');
      this.requireMayAssign(input.role);
    }
    const passwordHash = input.password !== undefined ? await this.hasher.hash(input.password) : undefined;
    await this.dataSource.transaction(async (m) => {
      if (target.role === 'owner' && input.role !== undefined && input.role !== 'owner') {
        const owners = await this.users.lockOwners(m);
        if (owners.length <= 1) throw this.lastOwner();
      }
      await this.users.update(id, { name: input.name, role: input.role, passwordHash }, m);
      if (passwordHash) await this.refreshTokens.revokeAllOfUser(id, m);
      if (input.role !== undefined && !roleAtLeast(input.role, target.role)) await this.trimKeysTo(id, input.role, m);
    });
    this.cache.forgetUser(this.tenant.organizationId, id);
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const target = await this.find(id);
    this.requireRole('admin', 'remove users');
    if (target.role === 'owner') this.requireRole('owner', 'remove an owner');
    await this.dataSource.transaction(async (m) => {
      if (target.role === 'owner') {
        const owners = await this.users.lockOwners(m);
        if (owners.length <= 1) throw this.lastOwner();
      }
      await this.apiKeys.revokePersonalOf(id, m);
      await this.users.delete(id, m);
    });
    this.cache.forgetUser(this.tenant.organizationId, id);
  }

  /**
   * A demotion shrinks the scopes of the person's keys to the new role for good: promoting them
   * again later does not give an old key back what it lost. (Authentication caps a key by its
   * creator's role on every request anyway; this keeps the stored scopes honest.)
   */
  private async trimKeysTo(userId: string, role: Role, m: EntityManager): Promise<void> {
    for (const key of await this.apiKeys.findActivePersonalOf(userId, m)) {
      const granted = roleOfScopes(key.scopes);
      if (!roleAtLeast(role, granted)) await this.apiKeys.setScopes(key.id, scopesOfRole(lesserRole(granted, role)), m);
    }
  }

  private async find(id: string): Promise<User> {
    const user = await this.users.findInTenant(id);
    if (!user) throw CommonError.notFound('user', id);
    return user;
  }

  private requireRole(required: Role, action: string): void {
    const role = this.tenant.principal.role;
    if (!roleAtLeast(role, required)) {
      throw new AuthError(
        AuthErrorCode.InsufficientRole,
        `Only ${required}s and above may ${action}; your role is ${role}`,
      );
    }
  }

  /** Nobody grants a role above their own (admins cannot make owners). */
  private requireMayAssign(role: Role): void {
    this.requireRole(role === 'owner' ? 'owner' : 'admin', `grant the ${role} role`);
  }

  private lastOwner(): AuthError {
    return new AuthError(AuthErrorCode.LastOwner, 'An organization must keep at least one owner');
  }

  private emailTaken(email: string): AuthError {
    return new AuthError(AuthErrorCode.EmailTaken, `email ${email} is already registered`);
  }
}
