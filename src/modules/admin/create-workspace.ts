// A platform admin creates an organization, optionally owned by an existing user.
// Audit: `workspace.created` as the first link of the new workspace's chain.
import type { AuditContext } from '../audit/index.ts';
import type { WorkspacePlan } from '../tenancy/index.ts';
import type { AdminContext } from './admin.context.ts';
import { adminErrors } from './admin.errors.ts';
import { loadWorkspaceDetail } from './get-workspace.ts';
import type { AdminWorkspaceDetail } from './get-workspace.ts';

export type AdminCreateWorkspaceInput = { name: string; slug?: string; plan?: WorkspacePlan; ownerEmail?: string };

export async function createWorkspace(deps: Pick<AdminContext, 'db' | 'log' | 'tenancy' | 'identity' | 'audit'>, audit: AuditContext, input: AdminCreateWorkspaceInput): Promise<AdminWorkspaceDetail> {
  return deps.db.withPlatform(async (tx) => {
    const owner = input.ownerEmail ? await deps.identity.users.findByEmail(tx, input.ownerEmail) : null;
    if (input.ownerEmail && !owner) throw adminErrors.create('USER_NOT_FOUND', `No user with the email ${input.ownerEmail}`);
    const workspace = await deps.tenancy.createWorkspace(tx, { name: input.name, slug: input.slug, plan: input.plan, kind: 'organization' });
    if (owner) await deps.identity.users.addMembership(tx, { workspaceId: workspace.id, userId: owner.id, role: 'owner' });
    await deps.audit.record(tx, audit, {
      workspaceId: workspace.id, action: 'workspace.created', targetType: 'workspace', targetId: workspace.id,
      diff: { after: { name: workspace.name, slug: workspace.slug, plan: workspace.plan, kind: workspace.kind, ownerUserId: owner?.id ?? null, via: 'platform_admin' } },
    });
    return loadWorkspaceDetail(tx, deps, workspace.id);
  });
}
