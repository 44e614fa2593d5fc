// Workspaces the user belongs to, the current one, and its children (projects and teams).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import type { ResponseOf } from './contract.ts';
import { keys } from './keys.ts';
import type { Workspace, WorkspaceKind, MyWorkspace } from './types.ts';
import { useSession } from '../auth/session.tsx';

export function useWorkspaces() {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'workspaces'),
    queryFn: ({ signal }) => api.get<MyWorkspace[]>('/workspaces', undefined, { signal }),
  });
}

export function useCurrentWorkspace() {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'current'),
    queryFn: ({ signal }) => api.get<Workspace & { settings?: Record<string, unknown> }>('/workspaces/current', undefined, { signal }),
  });
}

export function useUpdateWorkspace() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (input: { name?: string; settings?: Record<string, unknown> }) => api.patch<Workspace>('/workspaces/current', input),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId) }),
        queryClient.invalidateQueries({ queryKey: keys.me }),
      ]);
    },
  });
}

/** Soft-delete the current workspace: every session in it ends, so the user logs in again. */
export function useDeleteWorkspace() {
  return useMutation({ mutationFn: () => api.delete('/workspaces/current') });
}

export function useCreateChildWorkspace() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (input: { name: string; kind: Exclude<WorkspaceKind, 'organization'> }) => api.post<Workspace>('/workspaces', input),
    onSuccess: async () => {
      await Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.me }),
        queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'workspaces') }),
      ]);
    },
  });
}

export type WorkspaceSetting = ResponseOf<'/api/v1/workspaces/current/settings', 'get'>['data'][number];

/** Every setting the workspace can change, with its description, JSON Schema, default and value. */
export function useWorkspaceSettings() {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'current', 'settings'),
    queryFn: ({ signal }) => api.get<{ data: WorkspaceSetting[] }>('/workspaces/current/settings', undefined, { signal }).then((r) => r.data),
  });
}
