import type { ApiKey, Role } from '../../api/types';

export { ROLES, atLeast } from '../../auth/roles';

export type Scope = ApiKey['scopes'][number];

/** The role a key's scopes give (src/auth/roles.ts roleOfScopes: the highest scope wins). */
export function roleOfScopes(scopes: Scope[]): Role {
  if (scopes.includes('admin')) return 'admin';
  if (scopes.includes('write')) return 'member';
  return 'viewer';
}
