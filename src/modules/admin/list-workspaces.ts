import type { Workspace, WorkspaceSearch } from '../tenancy/index.ts';
import type { AdminContext } from './admin.context.ts';

export type AdminWorkspace = Workspace & { memberCount: number };
export type AdminWorkspacePage = { data: AdminWorkspace[]; total: number; limit: number; offset: number };

export async function listWorkspaces(deps: Pick<AdminContext, 'db' | 'tenancy' | 'identity'>, search: WorkspaceSearch): Promise<AdminWorkspacePage> {
  return deps.db.withPlatform(async (tx) => {
    const page = await deps.tenancy.searchWorkspaces(tx, search);
    const counts = await deps.identity.directory.countMembers(tx, page.data.map((w) => w.id));
    return {
      data: page.data.map((w) => ({ ...w, memberCount: counts.get(w.id) ?? 0 })),
      total: page.total,
      limit: search.limit,
      offset: search.offset,
    };
  });
}
