import type { Tx } from '../../kernel/db/database.ts';
import { tenancyErrors } from '../tenancy/index.ts';
import type { WorkspaceDetail } from '../tenancy/index.ts';
import type { AdminContext } from './admin.context.ts';
import type { WorkspaceMember } from '../identity/index.ts';

export type AdminWorkspaceDetail = WorkspaceDetail & { memberCount: number; members: WorkspaceMember[] };

/** In the caller's platform transaction. */
export async function loadWorkspaceDetail(tx: Tx, deps: Pick<AdminContext, 'tenancy' | 'identity'>, id: string): Promise<AdminWorkspaceDetail> {
  const workspace = await deps.tenancy.getWorkspace(tx, id);
  if (!workspace) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  const members = await deps.identity.directory.listWorkspaceMembers(tx, id);
  return { ...workspace, memberCount: members.length, members };
}

export async function getWorkspace(deps: Pick<AdminContext, 'db' | 'tenancy' | 'identity'>, id: string): Promise<AdminWorkspaceDetail> {
  return deps.db.withPlatform((tx) => loadWorkspaceDetail(tx, deps, id));
}
