// The grants of a role being written: each permission once, conditions valid for it, and never
// one the writer doesn't hold for every resource (no escalation through a custom role).
import { kernelErrors } from '../../kernel/errors.ts';
import { PERMISSIONS } from './permissions.ts';
import type { Permission } from './permissions.ts';
import { canGrantPermission } from './abilities.ts';
import type { AccessHolder, Grant } from './abilities.ts';
import { conditionsProblem } from './conditions.ts';
import type { Conditions } from './conditions.ts';
import { accessErrors } from './access.errors.ts';

const ORDER = new Map((Object.keys(PERMISSIONS) as Permission[]).map((p, i) => [p, i]));

export type GrantInput = { permission: Permission; conditions?: Conditions | null };

export function normalizeGrants(principal: AccessHolder, inputs: readonly GrantInput[]): Grant[] {
  const seen = new Set<Permission>();
  const grants: Grant[] = [];
  for (const input of inputs) {
    if (seen.has(input.permission)) throw kernelErrors.create('VALIDATION_FAILED', `${input.permission} is listed twice`);
    seen.add(input.permission);
    const conditions = input.conditions ?? null;
    if (conditions !== null) {
      const problem = conditionsProblem(input.permission, conditions);
      if (problem) throw accessErrors.create('CONDITIONS_INVALID', problem);
    }
    assertGrantable(principal, input.permission);
    grants.push({ permission: input.permission, conditions });
  }
  return grants.sort((a, b) => (ORDER.get(a.permission) ?? 0) - (ORDER.get(b.permission) ?? 0));
}

export function assertGrantable(principal: AccessHolder, permission: Permission): void {
  if (!canGrantPermission(principal, permission)) {
    throw accessErrors.create('PERMISSION_NOT_GRANTABLE', `You don't hold ${permission} for every resource, so you can't grant it`);
  }
}

/** The writer must hold every permission of a role to change, delete or assign it. */
export function assertRoleWithinReach(principal: AccessHolder, grants: readonly Grant[]): void {
  for (const g of grants) assertGrantable(principal, g.permission);
}
