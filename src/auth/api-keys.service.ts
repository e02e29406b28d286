import { Injectable } from '@nestjs/common';
import { roleAtLeast } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { CommonError } from '../common/errors/common.errors.js';
import { uuidv7 } from '../common/ids.js';
import { mapPage, Page } from '../common/pagination/page.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { CredentialCache } from './credential-cache.js';
import type { CreateApiKeyDto } from './dto/create-api-key.dto.js';
import { ApiKeyResponseDto, CreatedApiKeyResponseDto } from './dto/api-key-response.dto.js';
import type { ApiKey } from './entities/api-key.entity.js';
import { roleOfScopes } from './roles.js';
import type { ApiKeyScope } from './roles.js';
import { newApiKey } from './secrets.js';

const DEFAULT_SCOPES: ApiKeyScope[] = ['read', 'write'];

/** API keys of the caller's organization: shown once, stored as a hash, revocable at once. */
@Injectable()
export class ApiKeysService {
  constructor(
    private readonly keys: ApiKeyRepository,
    private readonly tenant: TenantContext,
    private readonly cache: CredentialCache,
  ) {}

  async create(input: CreateApiKeyDto): Promise<CreatedApiKeyResponseDto> {
    const principal = this.tenant.principal;
    // A service key acts for no person, so what it makes is the organization's too.
    const kind = input.kind ?? (principal.userId ? 'personal' : 'service');
    if (kind === 'service' && !roleAtLeast(principal.role, 'admin')) {
      throw new AuthError(
        AuthErrorCode.InsufficientRole,
        `Only admins may create service keys (they outlive their creator); your role is ${principal.role}`,
      );
    }
    if (kind === 'personal' && !principal.userId) {
      throw new AuthError(
        AuthErrorCode.InsufficientRole,
        'A service key acts for no person, so it cannot create a personal key (use kind: service)',
      );
    }
    const scopes = input.scopes ?? DEFAULT_SCOPES;
    const grants = roleOfScopes(scopes);
    if (!roleAtLeast(principal.role, grants)) {
      throw new AuthError(
        AuthErrorCode.ScopeExceedsRole,
        `scopes [${scopes.join(', ')}] give the ${grants} role, above your own (${principal.role})`,
      );
    }
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw new AuthError(AuthErrorCode.InvalidExpiry, 'expiresAt must be in the future');
    }
    const { key, prefix, hash } = newApiKey();
    const row: ApiKey = {
      id: uuidv7(),
      organizationId: principal.organizationId,
      createdBy: principal.userId,
      name: input.name,
      kind,
      prefix,
      keyHash: hash,
      scopes,
      expiresAt: input.expiresAt ?? null,
      lastUsedAt: null,
      revokedAt: null,
      createdAt: new Date(),
    };
    await this.keys.insert(row);
    return { ...ApiKeyResponseDto.from(row), key };
  }

  async list(limit: number, cursor?: string): Promise<Page<ApiKeyResponseDto>> {
    return mapPage(await this.keys.pageInTenant(limit, cursor), ApiKeyResponseDto.from);
  }

  async get(id: string): Promise<ApiKeyResponseDto> {
    return ApiKeyResponseDto.from(await this.find(id));
  }

  /**
   * Who may revoke what, by the calling credential's own effective role: any key may revoke
   * itself; admins revoke any key of the organization; anyone else only the personal keys they
   * made that reach no higher than the caller (a read-only key cannot revoke its creator's write
   * or admin keys).
   */
  async revoke(id: string): Promise<void> {
    const key = await this.find(id);
    const principal = this.tenant.principal;
    const itself = principal.apiKeyId === key.id;
    const own = principal.userId !== null && key.kind === 'personal' && key.createdBy === principal.userId;
    if (!itself && !roleAtLeast(principal.role, 'admin')) {
      if (!own)
        throw new AuthError(
          AuthErrorCode.InsufficientRole,
          `Only admins may revoke keys made by others or service keys; your role is ${principal.role}`,
        );
      const reach = roleOfScopes(key.scopes);
      if (!roleAtLeast(principal.role, reach)) {
        throw new AuthError(
          AuthErrorCode.InsufficientRole,
          `This key reaches the ${reach} role, above the calling credential (${principal.role}): revoke it with that role or as yourself`,
        );
      }
    }
    await this.keys.revoke(id);
    this.cache.forgetApiKey(this.tenant.organizationId, id);
  }

  private async find(id: string): Promise<ApiKey> {
    const key = await this.keys.findInTenant(id);
    if (!key) throw CommonError.notFound('API key', id);
    return key;
  }
}
