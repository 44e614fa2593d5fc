// Members of the current workspace and invitations (sending, revoking, accepting).
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getAllPages } from './client.ts';
import { keys } from './keys.ts';
import type { Invitation, InvitationLookup, InvitationRole, Member, Role, TokenPair } from './types.ts';
import { useSession } from '../auth/session.tsx';

export function useMembers(options: { enabled?: boolean } = {}) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'members'),
    queryFn: ({ signal }) => getAllPages<Member>('/members', signal),
    enabled: options.enabled ?? true,
  });
}

export function useUpdateMemberRole() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: ({ userId, role }: { userId: string; role: Role }) => api.patch<Member>(`/members/${encodeURIComponent(userId)}`, { role }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'members') }),
  });
}

export function useRemoveMember() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (userId: string) => api.delete(`/members/${encodeURIComponent(userId)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'members') }),
  });
}

export function useInvitations(options: { enabled?: boolean } = {}) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'invitations'),
    queryFn: ({ signal }) => getAllPages<Invitation>('/invitations', signal),
    enabled: options.enabled ?? true,
  });
}

export function useInvite() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (input: { email: string; role: InvitationRole }) => api.post<Invitation>('/invitations', input),
    onSuccess: () =>
      Promise.all([
        queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'invitations') }),
        queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'mail') }),
      ]),
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/invitations/${encodeURIComponent(id)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'invitations') }),
  });
}

/** Public: what an invitation link is for, before accepting it. */
export function useInvitationLookup(token: string) {
  return useQuery({
    queryKey: ['invitation', token],
    queryFn: ({ signal }) => api.get<InvitationLookup>('/invitations/lookup', { token }, { auth: false, signal }),
    retry: false,
  });
}

export function useAcceptInvitation() {
  return useMutation({
    mutationFn: (input: { token: string; password: string; name?: string; code?: string }) =>
      api.post<TokenPair>('/invitations/accept', input, { auth: false }),
  });
}
