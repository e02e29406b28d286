import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { JwtService, TokenExpiredError } from '@nestjs/jwt';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config.js';
import { uuidv7 } from '../common/ids.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { RefreshToken } from './entities/refresh-token.entity.js';
import type { User } from './entities/user.entity.js';
import { RefreshTokenRepository } from './refresh-token.repository.js';
import { newRefreshToken, sha256 } from './secrets.js';
import { UserRepository } from './user.repository.js';

export interface AccessClaims {
  sub: string;
  org: string;
  typ: 'access';
  /** Expiry, seconds since the epoch (set by the signer). */
  exp: number;
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** Access tokens (short-lived JWTs) and rotating refresh tokens. */
@Injectable()
export class TokenService {
  private readonly verified = new Map<string, AccessClaims>();

  constructor(
    private readonly jwt: JwtService,
    private readonly config: AppConfig,
    private readonly refreshTokens: RefreshTokenRepository,
    private readonly users: UserRepository,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  /** Issues an access token and the first refresh token of a new family. */
  async issue(user: User, manager?: EntityManager): Promise<IssuedTokens> {
    return this.issueInFamily(user, uuidv7(), manager);
  }

  private async issueInFamily(user: User, familyId: string, manager?: EntityManager): Promise<IssuedTokens> {
    const { token, hash } = newRefreshToken();
    const now = Date.now();
    const row: RefreshToken = {
      id: uuidv7(now),
      organizationId: user.organizationId,
      userId: user.id,
      familyId,
      tokenHash: hash,
      expiresAt: new Date(now + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000),
      usedAt: null,
      revokedAt: null,
      createdAt: new Date(now),
    };
    await this.refreshTokens.insert(row, manager);
    const claims: Omit<AccessClaims, 'exp'> = { sub: user.id, org: user.organizationId, typ: 'access' };
    const accessToken = await this.jwt.signAsync(claims);
    return { accessToken, refreshToken: token, expiresIn: this.config.JWT_ACCESS_TTL_SECONDS };
  }

  async verifyAccess(token: string): Promise<AccessClaims> {
    // A signature verified once stays valid until the token expires (what the user may do is
    // still read from the database by the caller). jsonwebtoken's verify costs ~0.3 ms of CPU.
    const known = this.verified.get(token);
    if (known && known.exp * 1000 > Date.now()) return known;
    let claims: AccessClaims;
    try {
      claims = await this.jwt.verifyAsync<AccessClaims>(token);
    } catch (error) {
      if (error instanceof TokenExpiredError)
        throw new AuthError(AuthErrorCode.TokenExpired, 'Access token has expired; refresh it');
      throw new AuthError(AuthErrorCode.InvalidToken, 'Access token is invalid');
    }
    if (
      claims.typ !== 'access' ||
      typeof claims.sub !== 'string' ||
      typeof claims.org !== 'string' ||
      typeof claims.exp !== 'number'
    ) {
      throw new AuthError(AuthErrorCode.InvalidToken, 'Access token is invalid');
    }
    if (this.verified.size >= 10_000) this.verified.delete(this.verified.keys().next().value as string);
    this.verified.set(token, claims);
    return claims;
  }

  /**
   * Rotates a refresh token: the presented one is retired and the next of its family issued.
   * A token presented a second time was copied by someone: the whole family is revoked (the
   * revocation commits even though the call fails), so neither holder can go on.
   */
  async rotate(presented: string): Promise<{ tokens: IssuedTokens; user: User }> {
    type Outcome = { error: AuthErrorCode } | { tokens: IssuedTokens; user: User };
    const outcome = await this.dataSource.transaction(async (m): Promise<Outcome> => {
      const row = await this.refreshTokens.findByHashForUpdate(sha256(presented), m);
      if (!row || row.revokedAt) return { error: AuthErrorCode.InvalidToken };
      if (row.usedAt) {
        await this.refreshTokens.revokeFamily(row.familyId, m);
        return { error: AuthErrorCode.RefreshTokenReused };
      }
      if (row.expiresAt.getTime() <= Date.now()) return { error: AuthErrorCode.TokenExpired };
      const user = await this.users.findForToken(row.userId, row.organizationId, m);
      if (!user) return { error: AuthErrorCode.InvalidToken };
      await this.refreshTokens.markUsed(row.id, m);
      return { tokens: await this.issueInFamily(user, row.familyId, m), user };
    });
    if ('error' in outcome) {
      const messages: Record<string, string> = {
        [AuthErrorCode.InvalidToken]: 'Refresh token is invalid or revoked',
        [AuthErrorCode.RefreshTokenReused]: 'Refresh token was already used; every token of its session is now revoked',
        [AuthErrorCode.TokenExpired]: 'Refresh token has expired; log in again',
      };
      throw new AuthError(outcome.error, messages[outcome.error]);
    }
    return outcome;
  }

  /** Ends the session the token belongs to (its whole family); unknown tokens are ignored. */
  async revoke(presented: string): Promise<void> {
    await this.dataSource.transaction(async (m) => {
      const row = await this.refreshTokens.findByHashForUpdate(sha256(presented), m);
      if (row) await this.refreshTokens.revokeFamily(row.familyId, m);
    });
  }
}
