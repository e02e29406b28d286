import { Injectable } from '@nestjs/common';
import type { OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config.js';
import type { Principal } from '../common/context/principal.js';
import { domainEvent, EventBus } from '../common/events/event-bus.js';
import type { DomainEvent } from '../common/events/event-bus.js';

const MAX_ENTRIES = 10_000;

/** Published when a credential stops meaning what it meant: a key revoked, a user's role, password or existence changed. */
export const CREDENTIALS_CHANGED = 'auth.credentials_changed' as const;
export interface CredentialsChanged {
  apiKeyId?: string;
  userId?: string;
}

declare module '../common/events/event-bus.js' {
  interface DomainEventMap {
    'auth.credentials_changed': CredentialsChanged;
  }
}

interface Entry {
  principal: Principal;
  /** When the credential itself stops being valid (an API key's expiresAt), if ever. */
  validUntil: number | null;
  cachedAt: number;
}

/**
 * Remembers who a credential belongs to, so an authenticated request costs no database round
 * trip for its credential, in both storage modes. Entries live CREDENTIAL_CACHE_SECONDS at
 * most, and are dropped at once on every process when a key is revoked or a user changes:
 * the process that made the change forgets them before it answers, and publishes
 * `auth.credentials_changed` on the event bus (Redis or PostgreSQL NOTIFY between replicas),
 * on which every other process forgets them too, within milliseconds. Should that event be
 * lost (the transport down), the lifetime bounds how long another replica may still accept
 * the old credential. Clients never receive this event.
 */
@Injectable()
export class CredentialCache implements OnModuleDestroy {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlMs: number;
  private readonly unsubscribe: () => void;

  constructor(
    config: AppConfig,
    private readonly bus: EventBus,
  ) {
    this.ttlMs = config.CREDENTIAL_CACHE_SECONDS * 1000;
    this.unsubscribe = bus.subscribe((event) => this.onEvent(event));
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  /** `credential` is an API key's hash or an access token already verified once. */
  get(credential: string, now = Date.now()): Principal | null {
    const entry = this.entries.get(credential);
    if (!entry) return null;
    if (now - entry.cachedAt > this.ttlMs || (entry.validUntil !== null && now >= entry.validUntil)) {
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

  /** A key was revoked: forget it here and on every other process. */
  forgetApiKey(organizationId: string, apiKeyId: string): void {
    this.dropApiKey(apiKeyId);
    this.announce(organizationId, { apiKeyId });
  }

  /**
   * A user's role, password or existence changed: drop their tokens and the personal keys that
   * act for them (their role caps those keys), here and on every other process. Service keys
   * act for nobody and stay.
   */
  forgetUser(organizationId: string, userId: string): void {
    this.dropUser(userId);
    this.announce(organizationId, { userId });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private announce(organizationId: string, payload: CredentialsChanged): void {
    this.bus.publish([domainEvent(CREDENTIALS_CHANGED, organizationId, payload)]);
  }

  private onEvent(event: DomainEvent): void {
    if (event.name !== CREDENTIALS_CHANGED) return;
    const change = event.payload;
    if (change.apiKeyId) this.dropApiKey(change.apiKeyId);
    if (change.userId) this.dropUser(change.userId);
  }

  private dropApiKey(apiKeyId: string): void {
    for (const [credential, e] of this.entries) if (e.principal.apiKeyId === apiKeyId) this.entries.delete(credential);
  }

  private dropUser(userId: string): void {
    for (const [credential, e] of this.entries) if (e.principal.userId === userId) this.entries.delete(credential);
  }
}
