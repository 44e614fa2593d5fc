// Roles & permissions: the registry (GET /permissions), built-in and custom roles, and the custom
// roles of members (PUT /members/:userId/roles). API keys' roles are in api-keys.ts.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getAllPages, request } from './client.ts';
import { keys } from './keys.ts';
import type { Member, Permission, Role } from './types.ts';
import { useSession } from '../auth/session.tsx';

export type ConditionField = { name: string; kind: 'user' | 'enum' | 'tags'; description: string; values?: string[] };
export type PermissionInfo = { name: Permission; resource: string; action: string; description: string; builtInRoles: Role[]; conditionFields: ConditionField[] };
export type Conditions = Record<string, string | { $in: string[] }>;
export type Grant = { permission: Permission; conditions: Conditions | null };
export type BuiltInRole = { name: Role; description: string; permissions: Permission[] };
export type CustomRole = { id: string; name: string; description: string; permissions: Grant[]; memberCount: number; apiKeyCount: number; createdAt: string; updatedAt: string };
export type MemberWithRoles = Member & { roleIds: string[] };
export type RoleInput = { name: string; description: string; permissions: Grant[] };

export function usePermissionRegistry() {
  return useQuery({
    queryKey: ['permissions'],
    queryFn: ({ signal }) => api.get<{ data: PermissionInfo[] }>('/permissions', undefined, { signal }).then((r) => r.data),
    staleTime: Infinity,
  });
}

export function useRoles() {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'roles'),
    queryFn: ({ signal }) => api.get<{ builtIn: BuiltInRole[]; data: CustomRole[] }>('/roles', undefined, { signal }),
  });
}

export function useMembersWithRoles(options: { enabled?: boolean } = {}) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'members'),
    queryFn: ({ signal }) => getAllPages<MemberWithRoles>('/members', signal),
    enabled: options.enabled ?? true,
  });
}

function useInvalidateRoles() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return () => Promise.all([
    queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'roles') }),
    queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'members') }),
    queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'api-keys') }),
    // Your own permissions may have changed.
    queryClient.invalidateQueries({ queryKey: keys.me }),
  ]);
}

export function useSaveRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ id, input }: { id: string | null; input: RoleInput }) =>
      id ? api.patch<CustomRole>(`/roles/${encodeURIComponent(id)}`, input) : api.post<CustomRole>('/roles', input),
    onSuccess: invalidate,
  });
}

export function useDeleteRole() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/roles/${encodeURIComponent(id)}`),
    onSettled: invalidate,
  });
}

export function useSetMemberRoles() {
  const invalidate = useInvalidateRoles();
  return useMutation({
    mutationFn: ({ userId, roleIds }: { userId: string; roleIds: string[] }) =>
      request<MemberWithRoles>(`/members/${encodeURIComponent(userId)}/roles`, { method: 'PUT', body: { roleIds } }),
    onSettled: invalidate,
  });
}
