// Impersonation: start (platform admins, or holders of impersonation.start), the current one
// (the banner), and stop. Starting keeps the admin's own session aside; stopping restores it.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, restoreStashedSession, stashSessionAndUse } from './client.ts';
import type { AdminWorkspace, Role, TokenPair } from './types.ts';
import { keys } from './keys.ts';
import { navigate } from '../lib/router.tsx';

type Person = { id: string; email: string; name: string };

export type Impersonation = {
  id: string; workspaceId: string; impersonatorId: string; targetUserId: string; sessionId: string; requestId: string | null;
  reason: string; startedAt: string; expiresAt: string; endedAt: string | null;
};

export type CurrentImpersonation = Impersonation & { impersonator: Person; target: Person };

export type StartedImpersonation = TokenPair & { workspaceId: string; impersonation: Impersonation; target: Person & { role: Role } };

export type AdminWorkspaceMember = { userId: string; email: string; name: string; role: string; joinedAt: string };
export type AdminWorkspaceDetail = AdminWorkspace & { settings: Record<string, unknown>; members: AdminWorkspaceMember[] };

export function useCurrentImpersonation() {
  return useQuery({
    queryKey: ['impersonation', 'current'] as const,
    queryFn: ({ signal }) => api.get<{ impersonation: CurrentImpersonation | null }>('/impersonation/current', undefined, { signal }),
    staleTime: 60_000,
  });
}

export type StartImpersonationInput = { userId: string; workspaceId?: string; reason: string; durationMinutes?: number };

export function useStartImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: StartImpersonationInput) => api.post<StartedImpersonation>('/impersonation', input),
    onSuccess: (started) => {
      stashSessionAndUse(started);
      queryClient.clear();
      navigate('/');
    },
  });
}

export function useStopImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (): Promise<void> => {
      try {
        await api.post('/impersonation/stop');
      } catch {
        // Already ended (expired or revoked): going back to the admin's session is what matters.
      }
    },
    onSettled: () => {
      restoreStashedSession();
      queryClient.clear();
      navigate('/admin/workspaces');
    },
  });
}

/** One workspace with its members (platform admin), to pick whom to impersonate. */
export function useAdminWorkspaceDetail(id: string | null) {
  return useQuery({
    queryKey: keys.admin('workspace', id ?? ''),
    queryFn: ({ signal }) => api.get<AdminWorkspaceDetail>(`/admin/workspaces/${encodeURIComponent(id ?? '')}`, undefined, { signal }),
    enabled: id !== null,
  });
}
