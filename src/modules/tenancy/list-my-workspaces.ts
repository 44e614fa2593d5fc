import type { Database } from '../../kernel/db/database.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { WorkspaceStatus } from './workspaces.store.ts';

export type MyWorkspace = { id: string; slug: string; name: string; status: WorkspaceStatus; parentId: string | null; role: string; isCurrent: boolean };

/** The workspaces the user is a member of (deleted ones left out), with their role in each. */
export async function listMyWorkspaces(
  deps: { db: Database; identity: Pick<IdentityModule, 'users'> },
  actor: { userId: string; workspaceId: string },
): Promise<MyWorkspace[]> {
  const memberships = await deps.db.withIdentity((tx) => deps.identity.users.memberships(tx, actor.userId));
  return memberships.map((m) => ({
    id: m.workspaceId, slug: m.slug, name: m.name, status: m.status as WorkspaceStatus, parentId: m.parentId, role: m.role,
    isCurrent: m.workspaceId === actor.workspaceId,
  }));
}
