// PUT /api-keys/:id/roles: the key's custom roles become exactly `roleIds` (its built-in role is
// unchanged). As for a member's roles: nobody changes a key whose built-in role is above theirs,
// every role added or removed must be within the caller's reach (they hold each of its
// permissions for every resource), a role of another workspace answers 404. A revoked key keeps
// the roles it had (409). Needs a user session, like creating a key. Audit:
// `api_key.roles_changed` (when the set changes). Takes effect on the key's next request here,
// within 2 s in other API processes.
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { canGrantRole } from '../../access/index.ts';
import { lockApiKeyView } from './api-keys.store.ts';
import type { ApiKeyView } from './api-keys.store.ts';
import { requireUser } from '../identity.context.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';

export async function setApiKeyRoles(ctx: IdentityContext, principal: Principal, id: string, roleIds: readonly string[], audit: AuditContext): Promise<ApiKeyView> {
  const actor = requireUser(principal);
  const ws = actor.workspaceId;
  const key = await ctx.db.withWorkspace(ws, async (tx) => {
    const current = await lockApiKeyView(tx, ws, id);
    if (!current) throw identityErrors.create('API_KEY_NOT_FOUND');
    if (!canGrantRole(actor.role, current.role)) {
      throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${actor.role}) cannot change a key whose role is ${current.role}`);
    }
    if (current.revokedAt) throw identityErrors.create('API_KEY_REVOKED');
    const before = current.roleIds;
    const { wanted, changed } = await ctx.access.checkRoleChange(tx, ws, principal, before, roleIds);
    if (changed.length > 0) {
      await ctx.access.setApiKeyRoles(tx, ws, id, wanted, actor.userId);
      await ctx.audit.record(tx, audit, {
        workspaceId: ws, action: 'api_key.roles_changed', targetType: 'api_key', targetId: id,
        diff: { before: { roleIds: before }, after: { roleIds: wanted } },
      });
    }
    return { ...current, roleIds: wanted };
  });
  ctx.access.invalidate(ws);
  return key;
}
