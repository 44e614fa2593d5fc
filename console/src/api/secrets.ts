// Secrets of the current workspace: metadata only. Values are write-only (PUT); nothing reads one back.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getAllPages, request } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

export type Secret = {
  id: string;
  name: string;
  fullName: string;
  description: string;
  keyVersion: number;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
};

export const SECRET_NAME_PATTERN = '[A-Za-z0-9][A-Za-z0-9_.\\-]{0,99}';

export function useSecrets() {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'secrets'),
    queryFn: ({ signal }) => getAllPages<Secret>('/secrets', signal),
  });
}

export type PutSecretInput = { name: string; value: string; description?: string };

export function usePutSecret() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: ({ name, ...body }: PutSecretInput) => request<Secret>(`/secrets/${encodeURIComponent(name)}`, { method: 'PUT', body }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'secrets') }),
  });
}

export function useDeleteSecret() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (name: string) => api.delete(`/secrets/${encodeURIComponent(name)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'secrets') }),
  });
}
