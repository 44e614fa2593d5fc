// POST /api-keys: a key for scripts, with a role no higher than its creator's, and optionally
// custom roles of the workspace, each holding only permissions the creator holds for every
// resource. The full key is returned this once; only its hash is kept. Only a user session may
// create keys (a key can't mint keys), which the route enforces and this use-case checks again
// (fail closed). Audit: `api_key.created` (name, prefix, roles, expiry; never the key or its hash).
import type { AuditContext } from '../../audit/index.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { canGrantRole } from '../../access/index.ts';
import { insertApiKey } from './api-keys.store.ts';
import type { ApiKeyView } from './api-keys.store.ts';
import { requireUser } from '../identity.context.ts';
import type { IdentityContext } from '../identity.context.ts';
import { identityErrors } from '../identity.errors.ts';
import { generateApiKey } from '../tokens.ts';

export type CreateApiKeyInput = { name: string; role: ApiKeyView['role']; roleIds?: readonly string[]; expiresInDays?: number };

export async function createApiKey(ctx: IdentityContext, principal: Principal, input: CreateApiKeyInput, audit: AuditContext): Promise<ApiKeyView & { key: string }> {
  const actor = requireUser(principal);
  if (!canGrantRole(actor.role, input.role)) {
    throw identityErrors.create('ROLE_NOT_ALLOWED', `Your role (${actor.role}) cannot create a key with role ${input.role}`);
  }
  const generated = generateApiKey();
  const view = await ctx.db.withWorkspace(actor.workspaceId, async (tx) => {
    const { wanted: roleIds } = await ctx.access.checkRoleChange(tx, actor.workspaceId, principal, [], input.roleIds ?? []);
    const inserted = await insertApiKey(tx, {
      workspaceId: actor.workspaceId, name: input.name.trim(), prefix: generated.prefix, keyHash: generated.hash,
      role: input.role, createdBy: actor.userId, expiresInDays: input.expiresInDays,
    });
    if (roleIds.length > 0) await ctx.access.setApiKeyRoles(tx, actor.workspaceId, inserted.id, roleIds, actor.userId);
    const created = { ...inserted, roleIds };
    await ctx.audit.record(tx, audit, {
      workspaceId: actor.workspaceId, action: 'api_key.created', targetType: 'api_key', targetId: created.id,
      diff: { after: { name: created.name, prefix: created.prefix, role: created.role, roleIds, expiresAt: created.expiresAt } },
    });
    return created;
  });
  return { ...view, key: generated.key };
}

/**
 * A key issued by the platform path (`atrium tenant create`): no member creates it, a platform
 * operator does (the audit event says so through its context). Shown once, like any key.
 */
export async function issuePlatformKey(ctx: IdentityContext, workspaceId: string, input: { name: string; role: ApiKeyView['role'] }, audit: AuditContext): Promise<ApiKeyView & { key: string }> {
  const generated = generateApiKey();
  const view = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    const inserted = await insertApiKey(tx, { workspaceId, name: input.name.trim(), prefix: generated.prefix, keyHash: generated.hash, role: input.role, createdBy: null });
    await ctx.audit.record(tx, audit, {
      workspaceId, action: 'api_key.created', targetType: 'api_key', targetId: inserted.id,
      diff: { after: { name: inserted.name, prefix: inserted.prefix, role: inserted.role, roleIds: [], expiresAt: inserted.expiresAt } },
    });
    return { ...inserted, roleIds: [] };
  });
  return { ...view, key: generated.key };
}
