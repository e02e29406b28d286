import { Injectable } from '@nestjs/common';
import { ClsService } from 'nestjs-cls';
import type { Principal } from './principal.js';

const PRINCIPAL = 'principal';

/**
 * The caller of the current request, kept in async-local storage. Repositories read the
 * organization from here, so a service cannot forget the tenant filter.
 */
@Injectable()
export class TenantContext {
  constructor(private readonly cls: ClsService) {}

  set(principal: Principal): void {
    this.cls.set(PRINCIPAL, principal);
  }

  /** Runs `work` as `principal`, outside any request (Socket.IO handlers, jobs). */
  runAs<T>(principal: Principal, work: () => Promise<T>): Promise<T> {
    return this.cls.run(() => {
      this.set(principal);
      return work();
    });
  }

  get principal(): Principal {
    const principal = this.cls.isActive() ? this.cls.get<Principal | undefined>(PRINCIPAL) : undefined;
    // Reaching tenant data without an authenticated caller is a programming error, not a 401.
    if (!principal) throw new Error('No authenticated principal in this context');
    return principal;
  }

  get organizationId(): string {
    return this.principal.organizationId;
  }

  /** Who did it, as recorded in history rows: `user:<id>` or `api_key:<id>`. */
  get actor(): string {
    const p = this.principal;
    return p.kind === 'api_key' ? `api_key:${p.apiKeyId}` : `user:${p.userId}`;
  }
}
