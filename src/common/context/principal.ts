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
  /** The person (JWT), or the key's creator (API key; null once that user is deleted). */
  userId: string | null;
  apiKeyId: string | null;
  /** The effective role: the user's own, or what the key's scopes allow. */
  role: Role;
  scopes: string[];
}
