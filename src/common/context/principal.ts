export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const RANK: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether `role` is at least `required` (owner > admin > member > viewer). */
export function roleAtLeast(role: Role, required: Role): boolean {
  return RANK[role] >= RANK[required];
}

/** Who is calling: a person with a JWT, or a service with an API key. */
export interface Principal {
  kind: 'user' | 'api_key';
  organizationId: string;
  /** The person (JWT), or the person a personal API key acts for; null for a service key. */
  userId: string | null;
  apiKeyId: string | null;
  /**
   * The effective role: the user's own; for a personal key the lesser of its scopes and its
   * creator's current role; for a service key what its scopes allow.
   */
  role: Role;
  scopes: string[];
}
