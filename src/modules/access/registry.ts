// The browser-safe part of the access door, for the console (which can't load server code):
// the permission registry, the built-in roles, condition fields and `can()`. Server code
// imports ./index.ts, which re-exports all of this.
export { PERMISSIONS, ROLES, permissionsOf, roleCan, canGrantRole } from './permissions.ts';
export type { Permission, Role } from './permissions.ts';
export { CONDITIONAL_PERMISSIONS, SELF } from './conditions.ts';
export type { ConditionField, Conditions, ConditionValue } from './conditions.ts';
