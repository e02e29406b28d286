import { roleAtLeast } from '../common/context/principal.js';
import type { Role } from '../common/context/principal.js';

export const API_KEY_SCOPES = ['read', 'write', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** What an API key may do: read = viewer, write = member, admin = admin (the highest scope wins). */
export function roleOfScopes(scopes: readonly ApiKeyScope[]): Role {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'member';
  return 'viewer';
}

export const API_KEY_KINDS = ['personal', 'service'] as const;
/**
 * personal: acts for the person who made it, never above their current role, revoked with them.
 * service: an organization's key, made by an admin, acting with its scopes alone.
 */
export type ApiKeyKind = (typeof API_KEY_KINDS)[number];

/** The lesser of two roles. */
export function lesserRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? b : a;
}

/** The scopes that give exactly `role` (an owner's keys reach admin at most). */
export function scopesOfRole(role: Role): ApiKeyScope[] {
  switch (role) {
    case 'viewer':
      return ['read'];
    case 'member':
      return ['read', 'write'];
    default:
      return ['read', 'write', 'admin'];
  }
}
