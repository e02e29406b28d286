import type { ApiKey, Role } from '../../api/types';

export const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];
const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

export const atLeast = (role: Role, wanted: Role) => RANK[role] >= RANK[wanted];

export type Scope = ApiKey['scopes'][number];

/** The role a key's scopes give (src/auth/roles.ts roleOfScopes: the highest scope wins). */
export function roleOfScopes(scopes: Scope[]): Role {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'member';
  return 'viewer';
}
