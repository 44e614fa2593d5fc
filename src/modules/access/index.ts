export { PERMISSIONS, ROLES, permissionsOf, roleCan, canGrantRole } from './permissions.ts';
export type { Permission, Role } from './permissions.ts';
