// The access module's door: the permission registry (read by the server, the docs and the
// console — which imports ./registry.ts, the browser-safe subset), `can()`, and custom roles
// with conditional permissions.
import './principal.ts'; // what access adds to the kernel's Principal and route config
export * from './registry.ts';
export { can, holdsPermission, authorizeRoute, canGrantPermission, effectivePermissions, compileAccess, builtInAccess } from './abilities.ts';
export type { AccessHolder, CheckContext, Grant, PrincipalAccess } from './abilities.ts';
export { createAccessModule } from './access.module.ts';
export type { AccessModule } from './access.module.ts';
export { accessErrors } from './access.errors.ts';
