// Impersonation: start (platform admins, or holders of impersonation.start), the current one
// (the banner), and stop. Starting keeps the admin's own session aside; stopping restores it.
// Also the owner procedure (request, approve) and the user's own opt-out (preferences).
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, restoreStashedSession, stashSessionAndUse } from './client.ts';
import type { AdminWorkspace, Role, TokenPair } from './types.ts';
import { keys } from './keys.ts';
import { navigate } from '../lib/router.tsx';

export type Person = { id: string; email: string; name: string };

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

// ---------------------------------------------------------------------------------------------
// The owner procedure: impersonating a workspace owner needs a request that a SECOND platform
// admin approves; the requester then starts within 15 minutes, once.

export type ImpersonationRequestStatus = 'pending' | 'approved' | 'used';

export type ImpersonationRequest = {
  id: string; workspaceId: string; requestedBy: string; targetUserId: string; reason: string; status: ImpersonationRequestStatus;
  createdAt: string; approvedBy: string | null; approvedAt: string | null; usableUntil: string | null;
};

const REQUESTS_KEY = keys.admin('impersonation-requests');

/** Pending requests (24 hours) and approved ones still usable, across workspaces, newest first. */
export function useImpersonationRequests(options: { isEnabled?: boolean; refetchIntervalMs?: number } = {}) {
  return useQuery({
    queryKey: REQUESTS_KEY,
    queryFn: ({ signal }) => api.get<{ data: ImpersonationRequest[] }>('/impersonation/requests', { limit: 200 }, { signal }),
    select: (page) => page.data,
    enabled: options.isEnabled ?? true,
    // Another admin's approval arrives without any action here: poll while the screen is open.
    refetchInterval: options.refetchIntervalMs ?? false,
  });
}

export function useRequestImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { userId: string; workspaceId: string; reason: string }) => api.post<ImpersonationRequest>('/impersonation/requests', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: REQUESTS_KEY }),
  });
}

export function useApproveImpersonation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.post<ImpersonationRequest>(`/impersonation/requests/${encodeURIComponent(id)}/approve`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: REQUESTS_KEY }),
  });
}

type AdminUserRow = { id: string; email: string; name: string; isPlatformAdmin: boolean };

/** People by id (platform admin directory), for showing names instead of ids; null while unknown. */
export function usePeople(ids: string[]): Map<string, Person> {
  const unique = [...new Set(ids)].sort();
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: keys.admin('user', id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<{ data: AdminUserRow[] }>('/admin/users', { q: id, limit: 1 }, { signal }),
      select: (page: { data: AdminUserRow[] }) => page.data.find((u) => u.id === id) ?? null,
      staleTime: 5 * 60_000,
    })),
  });
  const people = new Map<string, Person>();
  results.forEach((result) => {
    if (result.data) people.set(result.data.id, { id: result.data.id, email: result.data.email, name: result.data.name });
  });
  return people;
}

/** Workspace names by id (shares the cache of useAdminWorkspaceDetail). */
export function useWorkspaceNames(ids: string[]): Map<string, string> {
  const unique = [...new Set(ids)].sort();
  const results = useQueries({
    queries: unique.map((id) => ({
      queryKey: keys.admin('workspace', id),
      queryFn: ({ signal }: { signal: AbortSignal }) => api.get<AdminWorkspaceDetail>(`/admin/workspaces/${encodeURIComponent(id)}`, undefined, { signal }),
      staleTime: 60_000,
    })),
  });
  const names = new Map<string, string>();
  results.forEach((result) => {
    if (result.data) names.set(result.data.id, result.data.name);
  });
  return names;
}

// ---------------------------------------------------------------------------------------------
// The user's opt-out (any user, for their own account; turning it off is audited).

export type Preferences = { allowImpersonation: boolean };

const PREFERENCES_KEY = ['user', 'preferences'] as const;

export function usePreferences() {
  return useQuery({
    queryKey: PREFERENCES_KEY,
    queryFn: ({ signal }) => api.get<Preferences>('/auth/preferences', undefined, { signal }),
  });
}

export function useUpdatePreferences() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: Partial<Preferences>) => api.patch<Preferences>('/auth/preferences', input),
    onSuccess: (preferences) => queryClient.setQueryData(PREFERENCES_KEY, preferences),
  });
}
