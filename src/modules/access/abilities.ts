// What a principal may do: its roles' grants compiled into a @casl/ability ability, plus the
// coarse sets the route gate and GET /auth/me read. `can()` is the one check use-cases call.
// Every failure means deny: an unknown role or permission, a grant whose conditions don't
// validate (skipped), an exception while matching.
import { createMongoAbility, subject as tagSubject } from '@casl/ability';
import type { MongoAbility, RawRuleOf } from '@casl/ability';
import { PERMISSIONS, ROLES, permissionsOf } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';
import { conditionsProblem, mentionsSelf, resolveSelf } from './conditions.ts';
import type { Conditions } from './conditions.ts';

/** One permission of a role, optionally restricted to resources matching `conditions`. */
export type Grant = { permission: Permission; conditions: Conditions | null };

export type PrincipalAccess = {
  ability: MongoAbility;
  /** Permissions held for at least some resources (the route gate, /auth/me). */
  permissions: ReadonlySet<Permission>;
  /** Permissions held for every resource (what may be granted on to others). */
  unconditional: ReadonlySet<Permission>;
  /** `permissions` in registry order. */
  list: readonly Permission[];
};

/** The part of a principal `can` reads (src/kernel/http/principal.ts). */
export type AccessHolder = { role: Role; access?: PrincipalAccess };

export type CheckContext = {
  /** Told about an error that made the check deny (logged by the caller). */
  onError?: (error: unknown) => void;
};

const ORDER = Object.keys(PERMISSIONS) as Permission[];
const SPLIT = new Map<string, { action: string; subject: string }>(
  ORDER.map((p) => [p, { subject: p.slice(0, p.indexOf('.')), action: p.slice(p.indexOf('.') + 1) }]),
);

/**
 * Compile grants (from any number of roles: a union) into an access. `userId` resolves SELF in
 * conditions; a grant that doesn't validate is skipped and reported through `onInvalid`.
 */
export function compileAccess(grants: readonly Grant[], userId: string | null, onInvalid?: (grant: Grant, problem: string) => void): PrincipalAccess {
  const rules: RawRuleOf<MongoAbility>[] = [];
  const permissions = new Set<Permission>();
  const unconditional = new Set<Permission>();
  for (const grant of grants) {
    const split = SPLIT.get(grant.permission);
    if (!split) {
      onInvalid?.(grant, `Unknown permission ${grant.permission}`);
      continue;
    }
    if (grant.conditions === null) {
      rules.push({ action: split.action, subject: split.subject });
      permissions.add(grant.permission);
      unconditional.add(grant.permission);
      continue;
    }
    const problem = conditionsProblem(grant.permission, grant.conditions);
    if (problem) {
      onInvalid?.(grant, problem);
      continue;
    }
    const conditions = resolveSelf(grant.conditions, userId);
    if (!conditions) continue; // "only their own" for a caller that is not a user: nothing
    rules.push({ action: split.action, subject: split.subject, conditions });
    permissions.add(grant.permission);
  }
  return {
    ability: createMongoAbility(rules),
    permissions,
    unconditional,
    list: ORDER.filter((p) => permissions.has(p)),
  };
}

/** Do these grants' conditions depend on who asks (so the compiled access is per user)? */
export function isPerUser(grants: readonly Grant[]): boolean {
  return grants.some((g) => g.conditions !== null && typeof g.conditions === 'object' && mentionsSelf(g.conditions));
}

export function builtInGrants(role: Role): Grant[] {
  return permissionsOf(role).map((permission) => ({ permission, conditions: null }));
}

const BUILT_IN_ACCESS = new Map<Role, PrincipalAccess>(ROLES.map((r) => [r, compileAccess(builtInGrants(r), null)]));

/** A built-in role's access (static); undefined for an unknown role. */
export function builtInAccess(role: Role): PrincipalAccess | undefined {
  return BUILT_IN_ACCESS.get(role);
}

function accessOf(principal: AccessHolder): PrincipalAccess | undefined {
  return principal.access ?? BUILT_IN_ACCESS.get(principal.role);
}

/**
 * May the principal do `permission` — on this resource when given (its conditions are tested
 * against the resource's fields, camelCase as in the API), or on some resource when not (the
 * coarse check the route gate makes). Never throws: any error denies.
 */
export function can(principal: AccessHolder | null | undefined, permission: Permission, resource?: Record<string, unknown>, context?: CheckContext): boolean {
  try {
    if (!principal) return false;
    const access = accessOf(principal);
    if (!access) return false;
    if (resource === undefined) return access.permissions.has(permission);
    if (!access.permissions.has(permission)) return false;
    if (access.unconditional.has(permission)) return true;
    const split = SPLIT.get(permission);
    if (!split) return false;
    return access.ability.can(split.action, tagSubject(split.subject, resource));
  } catch (error) {
    context?.onError?.(error);
    return false;
  }
}

/** The route gate: does the principal hold `permission` for at least some resources? */
export function holdsPermission(principal: AccessHolder, permission: Permission): boolean {
  return can(principal, permission);
}

/** The kernel's Authorizer: a route's permission, held (conditionally or not) by the principal. An unknown permission is denied. */
export function authorizeRoute(principal: AccessHolder, permission: string): boolean {
  return Object.hasOwn(PERMISSIONS, permission) && can(principal, permission as Permission);
}

/** May the principal hand this permission on (to a role, or a member through a role)? Only if held unconditionally. */
export function canGrantPermission(principal: AccessHolder, permission: Permission): boolean {
  const access = accessOf(principal);
  return access?.unconditional.has(permission) ?? false;
}

/** The effective permissions, in registry order (GET /auth/me). */
export function effectivePermissions(principal: AccessHolder): Permission[] {
  return [...(accessOf(principal)?.list ?? [])];
}
