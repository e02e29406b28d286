import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { isUniqueViolation } from '../common/errors/database-errors.js';
import { uuidv7 } from '../common/ids.js';
import { ApiKeyRepository } from './api-key.repository.js';
import { CredentialCache } from './credential-cache.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { ApiKeyResponseDto } from './dto/api-key-response.dto.js';
import type { AuthTokensResponseDto } from './dto/auth-tokens-response.dto.js';
import type { LoginDto } from './dto/login.dto.js';
import type { MeResponseDto } from './dto/me-response.dto.js';
import { OrganizationResponseDto } from './dto/organization-response.dto.js';
import type { RegisterDto } from './dto/register.dto.js';
import { UserResponseDto } from './dto/user-response.dto.js';
import type { Organization } from './entities/organization.entity.js';
import type { User } from './entities/user.entity.js';
import { OrganizationRepository } from './organization.repository.js';
import { PasswordHasher } from './password-hasher.js';
import { lesserRole, roleOfScopes } from './roles.js';
import { API_KEY_PREFIX, sha256 } from './secrets.js';
import type { IssuedTokens } from './token.service.js';
import { TokenService } from './token.service.js';
import { UserRepository } from './user.repository.js';

/** Keys record when they were last used, at most once a minute (not a write per request). */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class AuthService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AppConfig,
    private readonly organizations: OrganizationRepository,
    private readonly users: UserRepository,
    private readonly apiKeys: ApiKeyRepository,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenService,
    private readonly tenant: TenantContext,
    private readonly cache: CredentialCache,
  ) {}

  /** Creates an organization and its owner, and logs the owner in. */
  async register(input: RegisterDto): Promise<AuthTokensResponseDto> {
    if (!this.config.REGISTRATION_ENABLED) {
      throw new AuthError(
        AuthErrorCode.RegistrationDisabled,
        'Registration is disabled on this server (REGISTRATION_ENABLED=false)',
      );
    }
    if (await this.users.findByEmailAcrossTenants(input.email)) throw this.emailTaken(input.email);
    const passwordHash = await this.hasher.hash(input.password);
    const now = new Date();
    const org: Organization = { id: uuidv7(), name: input.organizationName, createdAt: now, updatedAt: now };
    const user: User = {
      id: uuidv7(),
      organizationId: org.id,
      email: input.email,
      name: input.name,
      passwordHash,
      role: 'owner',
      createdAt: now,
      updatedAt: now,
    };
    try {
      const tokens = await this.dataSource.transaction(async (m) => {
        await this.organizations.insert(org, m);
        await this.users.insert(user, m);
        return this.tokens.issue(user, m);
      });
      return this.tokenResponse(tokens, user, org);
    } catch (error) {
      if (isUniqueViolation(error)) throw this.emailTaken(input.email);
      throw error;
    }
  }

  async login(input: LoginDto): Promise<AuthTokensResponseDto> {
    const user = await this.users.findByEmailAcrossTenants(input.email);
    if (!user) {
      await this.hasher.burn(input.password);
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    if (!(await this.hasher.verify(user.passwordHash, input.password))) {
      throw new AuthError(AuthErrorCode.InvalidCredentials, 'Email or password is wrong');
    }
    const tokens = await this.tokens.issue(user);
    return this.tokenResponse(tokens, user, await this.organizationOf(user));
  }

  async refresh(refreshToken: string): Promise<AuthTokensResponseDto> {
    const { tokens, user } = await this.tokens.rotate(refreshToken);
    return this.tokenResponse(tokens, user, await this.organizationOf(user));
  }

  async logout(refreshToken: string): Promise<void> {
    await this.tokens.revoke(refreshToken);
  }

  /**
   * Who presents this credential: an API key (`am_...`) or an access token (JWT). The role of a
   * user is read from the database, not the token, and kept by CredentialCache only until the
   * user or key changes (an event every replica hears), so a demotion or a deletion takes effect
   * at once rather than when the token expires.
   */
  async authenticate(credential: string): Promise<Principal> {
    if (credential.startsWith(API_KEY_PREFIX)) return this.authenticateApiKey(credential);
    // A token seen before skips the signature check and the user lookup until it expires.
    const cached = this.cache.get(credential);
    if (cached) return cached;
    const claims = await this.tokens.verifyAccess(credential);
    const user = await this.users.findForToken(claims.sub, claims.org);
    if (!user) throw new AuthError(AuthErrorCode.InvalidToken, 'Access token is invalid: its user no longer exists');
    const principal: Principal = {
      kind: 'user',
      organizationId: user.organizationId,
      userId: user.id,
      apiKeyId: null,
      role: user.role,
      scopes: [],
    };
    this.cache.set(credential, principal, new Date(claims.exp * 1000));
    return principal;
  }

  /** Whether a caller administers the installation: an owner of its first organization. */
  async isInstallationOwner(principal: Principal): Promise<boolean> {
    if (principal.role !== 'owner') return false;
    const first = await this.organizations.findFirst();
    return first?.id === principal.organizationId;
  }

  /** Whether an organization of this id exists (for the installation owner's routes over any organization). */
  organizationExists(id: string): Promise<boolean> {
    return this.organizations.existsAcrossTenants(id);
  }

  private async authenticateApiKey(key: string): Promise<Principal> {
    if (key.length > 100) throw this.invalidKey();
    const hash = sha256(key);
    const cached = this.cache.get(hash);
    if (cached) return cached;
    const found = await this.apiKeys.findByHashAcrossTenants(hash);
    const now = new Date();
    if (!found) throw this.invalidKey();
    const { key: row, creatorRole } = found;
    if (row.revokedAt || (row.expiresAt && row.expiresAt <= now)) throw this.invalidKey();
    // A personal key acts for its creator: never above their role today, and not at all once
    // they are gone. A service key acts for the organization with its scopes alone.
    const personal = row.kind === 'personal';
    if (personal && (!row.createdBy || !creatorRole)) throw this.invalidKey();
    // lastUsedAt is coarse on purpose: at most one write a minute per key (and per cache period).
    if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > TOUCH_INTERVAL_MS) {
      await this.apiKeys.touch(row.id, now);
    }
    const principal: Principal = {
      kind: 'api_key',
      organizationId: row.organizationId,
      userId: personal ? row.createdBy : null,
      apiKeyId: row.id,
      role: personal && creatorRole ? lesserRole(roleOfScopes(row.scopes), creatorRole) : roleOfScopes(row.scopes),
      scopes: row.scopes,
    };
    this.cache.set(hash, principal, row.expiresAt);
    return principal;
  }

  private invalidKey(): AuthError {
    return new AuthError(AuthErrorCode.InvalidApiKey, 'API key is invalid, revoked or expired');
  }

  async me(): Promise<MeResponseDto> {
    const principal = this.tenant.principal;
    const org = await this.organizations.findCurrent();
    if (!org) throw new AuthError(AuthErrorCode.InvalidToken, 'Organization no longer exists');
    const user = principal.userId ? await this.users.findInTenant(principal.userId) : null;
    const key = principal.apiKeyId ? await this.apiKeys.findInTenant(principal.apiKeyId) : null;
    return {
      authenticatedBy: principal.kind,
      user: user ? UserResponseDto.from(user) : null,
      organization: OrganizationResponseDto.from(org),
      apiKey: key ? ApiKeyResponseDto.from(key) : null,
      role: principal.role,
    };
  }

  private async organizationOf(user: User): Promise<Organization> {
    const org = await this.organizations.findOfUser(user);
    if (!org) throw new AuthError(AuthErrorCode.InvalidCredentials, 'Organization no longer exists');
    return org;
  }

  private tokenResponse(tokens: IssuedTokens, user: User, org: Organization): AuthTokensResponseDto {
    return {
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken,
      tokenType: 'Bearer',
      expiresIn: tokens.expiresIn,
      user: UserResponseDto.from(user),
      organization: OrganizationResponseDto.from(org),
    };
  }

  private emailTaken(email: string): AuthError {
    return new AuthError(AuthErrorCode.EmailTaken, `email ${email} is already registered`);
  }
}
