import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { roleAtLeast } from '../common/context/principal.js';
import type { Role } from '../common/context/principal.js';
import { TenantContext } from '../common/context/tenant-context.js';
import { AuthError, AuthErrorCode } from './auth.errors.js';
import { AuthService } from './auth.service.js';
import { API_KEY_PREFIX } from './secrets.js';
import { AUTH_OPTIONS, AuthenticatedOptions, PUBLIC_ROUTE } from './decorators.js';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * `Authorization: Bearer <jwt | am_key>`, `Authorization: Token <am_key>` (the scheme of Mem0's
 * clients, which the compat routes serve; API keys only) or `X-API-Key: <am_key>`.
 */
export function credentialOf(headers: Record<string, string | string[] | undefined>): string | null {
  const auth = headers['authorization'];
  if (typeof auth === 'string') {
    const match = /^(Bearer|Token)\s+(\S+)\s*$/i.exec(auth);
    if (!match)
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'Authorization header must be "Bearer <token or API key>" (or "Token <API key>")',
      );
    if (match[1].toLowerCase() === 'token' && !match[2].startsWith(API_KEY_PREFIX))
      throw new AuthError(
        AuthErrorCode.InvalidToken,
        'Authorization: Token takes an API key (am_...); send a JWT as Bearer',
      );
    return match[2];
  }
  const key = headers['x-api-key'];
  return typeof key === 'string' && key.length > 0 ? key : null;
}

/** The credential of a request: its headers, or `?token=` on routes that allow it (SSE). */
export function requestCredential(req: Request, allowQueryToken: boolean): string | null {
  const queryToken =
    allowQueryToken && typeof req.query.token === 'string' && req.query.token.length > 0 ? req.query.token : null;
  return credentialOf(req.headers) ?? queryToken;
}

/**
 * The one guard of every REST route (registered globally): authenticates the caller, stores it
 * in the tenant context, and checks the role the route needs. Socket.IO and SSE reuse
 * AuthService.authenticate with the same credentials.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
    private readonly tenant: TenantContext,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const options = this.reflector.getAllAndOverride<AuthenticatedOptions | undefined>(AUTH_OPTIONS, targets) ?? {};
    const credential = requestCredential(req, options.queryToken === true);
    if (!credential) {
      throw new AuthError(
        AuthErrorCode.MissingCredentials,
        `Authentication required: send Authorization: Bearer <token> or X-API-Key${options.queryToken ? ' (or ?token=)' : ''}`,
      );
    }
    const principal = await this.auth.authenticate(credential);
    this.tenant.set(principal);
    const required: Role = options.role ?? (READ_METHODS.has(req.method) ? 'viewer' : 'member');
    if (!roleAtLeast(principal.role, required)) {
      const who =
        principal.kind === 'api_key'
          ? `this API key's scopes (${principal.scopes.join(', ')})`
          : `your role (${principal.role})`;
      throw new AuthError(
        AuthErrorCode.InsufficientRole,
        `This action needs the ${required} role or above; ${who} does not allow it`,
      );
    }
    return true;
  }
}
