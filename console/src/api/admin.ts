// Platform admin: every workspace of the installation (the one cross-workspace path).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { AdminWorkspace, AdminWorkspacePage, AdminWorkspaceQuery, Plan } from './types.ts';
import type { BodyOf, ResponseOf } from './contract.ts';

export function useAdminWorkspaces(query: AdminWorkspaceQuery) {
  return useQuery({
    queryKey: keys.admin('workspaces', query),
    queryFn: ({ signal }) => api.get<AdminWorkspacePage>('/admin/workspaces', query, { signal }),
    placeholderData: keepPreviousData,
  });
}

export type AdminAction = 'suspend' | 'restore' | 'delete';

export function useAdminWorkspaceAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, action, reason }: { id: string; action: AdminAction; reason?: string }): Promise<void> => {
      const path = `/admin/workspaces/${encodeURIComponent(id)}`;
      if (action === 'delete') await api.delete(path);
      else if (action === 'suspend') await api.post<AdminWorkspace>(`${path}/suspend`, reason ? { reason } : {});
      else await api.post<AdminWorkspace>(`${path}/restore`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin('workspaces') }),
  });
}

export function useAdminCreateWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { name: string; slug?: string; plan?: Plan; ownerEmail?: string }) => api.post<AdminWorkspace>('/admin/workspaces', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.admin('workspaces') }),
  });
}

// The whole picture of one client, and the account edit (GET/PATCH /admin/workspaces/:id).
// Types generated from the server's OpenAPI document.
export type WorkspaceOverview = ResponseOf<'/api/v1/admin/workspaces/{id}', 'get'>;
export type AccountPatch = BodyOf<'/api/v1/admin/workspaces/{id}', 'patch'>;
export type Subscription = NonNullable<WorkspaceOverview['account']['subscription']>;
export type OverviewWindow = { from?: string; to?: string };

export function useAdminWorkspaceOverview(id: string, window: OverviewWindow) {
  return useQuery({
    queryKey: keys.admin('workspace', id, window),
    queryFn: ({ signal }) => api.get<WorkspaceOverview>(`/admin/workspaces/${encodeURIComponent(id)}`, window, { signal }),
    placeholderData: keepPreviousData,
    enabled: id !== '',
  });
}

export function useAdminUpdateAccount(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: AccountPatch) => api.patch<WorkspaceOverview>(`/admin/workspaces/${encodeURIComponent(id)}`, patch),
    onSuccess: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.admin('workspace', id) }),
      queryClient.invalidateQueries({ queryKey: keys.admin('workspaces') }),
    ]),
  });
}

export type WorkspaceBuilds = ResponseOf<'/api/v1/admin/workspaces/{id}/builds', 'get'>;

/** A workspace's build repository (issue 15): its branch, head and latest builds. */
export function useAdminWorkspaceBuilds(id: string) {
  return useQuery({
    queryKey: keys.admin('workspace', id, 'builds'),
    queryFn: ({ signal }) => api.get<WorkspaceBuilds>(`/admin/workspaces/${encodeURIComponent(id)}/builds`, { limit: 20 }, { signal }),
    enabled: id !== '',
  });
}
