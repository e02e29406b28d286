import type { Role } from '../api/types';

/** The roles, lowest first (src/common/context/principal.ts ranks them the same way). */
export const ROLES: Role[] = ['viewer', 'member', 'admin', 'owner'];

/** Whether `role` reaches `wanted`. */
export const atLeast = (role: Role, wanted: Role): boolean => ROLES.indexOf(role) >= ROLES.indexOf(wanted);
