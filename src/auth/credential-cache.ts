import { Injectable } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/context/principal.js';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;

interface Entry {
  principal: Principal;
  /** When the credential itself stops being valid (an API key's expiresAt), if ever. */
  validUntil: number | null;
  cachedAt: number;
}

/**
 * Remembers who a credential belongs to, so an authenticated request costs no database round
 * trip for its credential. Only in the embedded mode: there exactly one process serves the data
 * directory (the socket lock guarantees it), so forgetting an entry on revoke, role change or
 * deletion takes effect at once. With DATABASE_URL several replicas may run, and a local cache
 * would keep a revoked key alive on the others, so there every request reads the database.
 */
@Injectable()
export class CredentialCache {
  private readonly entries = new Map<string, Entry>();
  readonly enabled: boolean;

  constructor(config: AppConfig) {
    this.enabled = config.embedded;
  }

  /** `credential` is an API key's hash or an access token already verified once. */
  get(credential: string, now = Date.now()): Principal | null {
    const entry = this.entries.get(credential);
    if (!entry) return null;
    if (now - entry.cachedAt > TTL_MS || (entry.validUntil !== null && now >= entry.validUntil)) {
      this.entries.delete(credential);
      return null;
    }
    return entry.principal;
  }

  set(credential: string, principal: Principal, validUntil: Date | null): void {
    if (!this.enabled) return;
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(credential, { principal, validUntil: validUntil?.getTime() ?? null, cachedAt: Date.now() });
  }

  forgetApiKey(apiKeyId: string): void {
    for (const [credential, e] of this.entries) if (e.principal.apiKeyId === apiKeyId) this.entries.delete(credential);
  }

  /**
   * A user's role, password or existence changed: drop their tokens and the personal keys that
   * act for them (their role caps those keys). Service keys act for nobody and stay.
   */
  forgetUser(userId: string): void {
    for (const [credential, e] of this.entries) if (e.principal.userId === userId) this.entries.delete(credential);
  }
}
