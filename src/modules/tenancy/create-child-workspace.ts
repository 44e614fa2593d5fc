// A project or team under the caller's current workspace; the caller owns it. The child's row,
// settings and the owner membership are written in one transaction bound to the child's id.
// Audit: `workspace.created` in the child's chain (the parent's transaction is another one, and
// an event is only ever written in the transaction of its change).
import type { AuditContext, AuditModule } from '../audit/index.ts';
import type { Database } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { IdentityModule } from '../identity/index.ts';
import { tenancyErrors } from './tenancy.errors.ts';
import type { SettingsRegistry } from './settings.registry.ts';
import { childKindProblem } from './hierarchy.ts';
import { createWorkspace } from './create-workspace.ts';
import { findWorkspaceById } from './workspaces.store.ts';
import type { Workspace } from './workspaces.store.ts';

export type ChildWorkspaceInput = { name: string; slug?: string; kind: 'project' | 'team' };

export async function createChildWorkspace(
  deps: { db: Database; settings: SettingsRegistry; identity: Pick<IdentityModule, 'users'>; audit: Pick<AuditModule, 'record'> },
  actor: { userId: string; workspaceId: string },
  input: ChildWorkspaceInput,
  audit: AuditContext,
): Promise<Workspace> {
  const parent = await deps.db.withWorkspace(actor.workspaceId, (tx) => findWorkspaceById(tx, actor.workspaceId));
  if (!parent || parent.status !== 'active') throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  const problem = childKindProblem(parent.kind, input.kind);
  if (problem) throw tenancyErrors.create('HIERARCHY_NOT_ALLOWED', problem);

  const id = uuidv7();
  return deps.db.withWorkspace(id, async (tx) => {
    const child = await createWorkspace(tx, deps.settings, { id, name: input.name, slug: input.slug, plan: parent.plan, kind: input.kind, parentId: parent.id });
    await deps.identity.users.addMembership(tx, { workspaceId: id, userId: actor.userId, role: 'owner' });
    await deps.audit.record(tx, audit, {
      workspaceId: id, action: 'workspace.created', targetType: 'workspace', targetId: id,
      diff: { after: { name: child.name, slug: child.slug, kind: child.kind, plan: child.plan, parentId: parent.id, ownerUserId: actor.userId } },
    });
    return child;
  });
}
