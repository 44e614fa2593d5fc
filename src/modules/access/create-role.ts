// POST /roles: a custom role, with permissions the creator holds for every resource (no
// escalation). Audit: `role.created`.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { AccessContext } from './access.context.ts';
import { MAX_ROLES } from './access.context.ts';
import { accessErrors } from './access.errors.ts';
import { normalizeGrants } from './role-grants.ts';
import type { GrantInput } from './role-grants.ts';
import { countRoles, getRole, insertRole, isRoleNameTaken, replaceGrants } from './roles.store.ts';
import type { CustomRoleView } from './roles.store.ts';

export type CreateRoleInput = { name: string; description?: string; permissions: GrantInput[] };

export async function createRole(ctx: AccessContext, principal: Principal, input: CreateRoleInput, audit: AuditContext): Promise<CustomRoleView> {
  const ws = principal.workspaceId;
  const grants = normalizeGrants(principal, input.permissions);
  const name = input.name.trim();
  const description = (input.description ?? '').trim();
  assertNotBuiltInName(name);
  const role = await ctx.db.withWorkspace(ws, async (tx) => {
    // Serialises role creation per workspace, so the count and the name check hold until commit.
    await tx.query('select pg_advisory_xact_lock(hashtextextended($1, 7))', [`roles:${ws}`]);
    if ((await countRoles(tx, ws)) >= MAX_ROLES) throw accessErrors.create('ROLE_LIMIT_REACHED', `At most ${MAX_ROLES} custom roles per workspace`);
    if (await isRoleNameTaken(tx, ws, name)) throw accessErrors.create('ROLE_NAME_TAKEN', `A role named "${name}" already exists`);
    const id = await insertRole(tx, { workspaceId: ws, name, description, createdBy: principal.userId });
    await replaceGrants(tx, ws, id, grants);
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'role.created', targetType: 'role', targetId: id,
      diff: { after: { name, description, permissions: grants } },
    });
    return getRole(tx, ws, id);
  });
  ctx.resolver.invalidate(ws);
  return role!;
}

const BUILT_IN_NAMES = new Set(['owner', 'admin', 'member', 'viewer']);

export function assertNotBuiltInName(name: string): void {
  if (BUILT_IN_NAMES.has(name.toLowerCase())) throw accessErrors.create('ROLE_NAME_TAKEN', `"${name}" is a built-in role`);
}
