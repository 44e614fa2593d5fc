// A platform admin creates an organization, optionally owned by an existing user.
import type { WorkspacePlan } from '../tenancy/index.ts';
import type { AdminDeps } from './admin.deps.ts';
import { adminErrors } from './admin.errors.ts';
import { recordAdminAction } from './admin-audit.ts';
import type { AdminActor } from './admin-audit.ts';
import { loadWorkspaceDetail } from './get-workspace.ts';
import type { AdminWorkspaceDetail } from './get-workspace.ts';

export type AdminCreateWorkspaceInput = { name: string; slug?: string; plan?: WorkspacePlan; ownerEmail?: string };

export async function createWorkspace(deps: Pick<AdminDeps, 'db' | 'log' | 'tenancy' | 'identity'>, actor: AdminActor, input: AdminCreateWorkspaceInput): Promise<AdminWorkspaceDetail> {
  const detail = await deps.db.withPlatform(async (tx) => {
    const owner = input.ownerEmail ? await deps.identity.users.findByEmail(tx, input.ownerEmail) : null;
    if (input.ownerEmail && !owner) throw adminErrors.create('USER_NOT_FOUND', `No user with the email ${input.ownerEmail}`);
    const workspace = await deps.tenancy.createWorkspace(tx, { name: input.name, slug: input.slug, plan: input.plan, kind: 'organization' });
    if (owner) await deps.identity.users.addMembership(tx, { workspaceId: workspace.id, userId: owner.id, role: 'owner' });
    return loadWorkspaceDetail(tx, deps, workspace.id);
  });
  recordAdminAction(deps.log, actor, 'workspace.created', { workspaceId: detail.id, slug: detail.slug, ownerUserId: detail.members[0]?.userId ?? null });
  return detail;
}
