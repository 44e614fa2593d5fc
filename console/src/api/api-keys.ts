// API keys of the current workspace. The secret is in the create response only.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getAllPages, request } from './client.ts';
import { keys } from './keys.ts';
import type { ApiKey, ApiKeyRole, CreatedApiKey } from './types.ts';
import { useSession } from '../auth/session.tsx';

export function useApiKeys(options: { enabled?: boolean } = {}) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'api-keys'),
    queryFn: ({ signal }) => getAllPages<ApiKey>('/api-keys', signal),
    enabled: options.enabled ?? true,
  });
}

export type CreateApiKeyInput = { name: string; role: ApiKeyRole; roleIds?: string[]; expiresInDays?: number };

export function useCreateApiKey() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (input: CreateApiKeyInput) => api.post<CreatedApiKey>('/api-keys', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'api-keys') }),
  });
}

export function useRevokeApiKey() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/api-keys/${encodeURIComponent(id)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'api-keys') }),
  });
}

/** PUT /api-keys/:id/roles: the key's custom roles become exactly `roleIds`. */
export function useSetApiKeyRoles() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: ({ id, roleIds }: { id: string; roleIds: string[] }) =>
      request<ApiKey>(`/api-keys/${encodeURIComponent(id)}/roles`, { method: 'PUT', body: { roleIds } }),
    onSettled: () => Promise.all([
      queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'api-keys') }),
      queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'roles') }),
    ]),
  });
}
