// Sessions of the logged-in user: login, signup, logout, switch, MFA, password.
import { useMemo } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, clearTokens, hasSession, setTokens } from './client.ts';
import { keys } from './keys.ts';
import type { LoginResult, Me, MfaEnrollment, Session, SignupResult, TokenPair } from './types.ts';
import { navigate } from '../lib/router.tsx';

export function useMe() {
  return useQuery({
    queryKey: keys.me,
    queryFn: ({ signal }) => api.get<Me>('/auth/me', undefined, { signal }),
    enabled: hasSession(),
    staleTime: 30_000,
  });
}

/** Session transitions that reset what the console holds in memory. */
export function useSessionActions() {
  const queryClient = useQueryClient();
  return useMemo(() => ({
    /** After login, signup or accepting an invitation. */
    start(pair: Pick<TokenPair, 'accessToken' | 'refreshToken'>, to = '/') {
      queryClient.clear();
      setTokens(pair);
      navigate(to);
    },
    async logout() {
      try {
        await api.post('/auth/logout');
      } catch {
        // The session may already be gone; forgetting it locally is what matters.
      }
      clearTokens();
      navigate('/login');
      queryClient.clear();
    },
    /** Session ended elsewhere (revoked, expired, logged out in another tab). */
    ended() {
      const here = window.location.pathname;
      const isPublic = here === '/login' || here === '/signup' || here.startsWith('/invite/');
      if (!isPublic) navigate(`/login?reason=ended${here === '/' ? '' : `&next=${encodeURIComponent(here)}`}`, { replace: true });
      queryClient.clear();
    },
  }), [queryClient]);
}

export function useSwitchWorkspace() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (workspaceId: string) => api.post<TokenPair>('/auth/switch', { workspaceId }),
    onSuccess: async (pair) => {
      const previous = queryClient.getQueryData<Me>(keys.me)?.workspace.id;
      setTokens(pair);
      await queryClient.refetchQueries({ queryKey: keys.me });
      if (previous) queryClient.removeQueries({ queryKey: keys.workspace(previous) });
      queryClient.removeQueries({ queryKey: ['admin'] });
    },
  });
}

export type LoginInput = { email: string; password: string; workspace?: string };

export function useLogin() {
  return useMutation({ mutationFn: (input: LoginInput) => api.post<LoginResult>('/auth/login', input, { auth: false }) });
}

export function useLoginMfa() {
  return useMutation({
    mutationFn: (input: { challengeToken: string; code: string }) => api.post<TokenPair>('/auth/login/mfa', input, { auth: false }),
  });
}

export type SignupInput = { email: string; password: string; name: string; companyName: string };

export function useSignup() {
  return useMutation({ mutationFn: (input: SignupInput) => api.post<SignupResult>('/onboard/signup', input, { auth: false }) });
}

export function useSessions() {
  return useQuery({ queryKey: keys.sessions, queryFn: ({ signal }) => api.get<Session[]>('/auth/sessions', undefined, { signal }) });
}

export function useRevokeSession() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => api.delete(`/auth/sessions/${encodeURIComponent(sessionId)}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.sessions }),
  });
}

export function useChangePassword() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { currentPassword: string; newPassword: string }) => api.post<unknown>('/auth/password', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.sessions }),
  });
}

export function useMfaEnroll() {
  return useMutation({ mutationFn: () => api.post<MfaEnrollment>('/auth/mfa/enroll') });
}

export function useMfaVerify() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (code: string) => api.post<{ recoveryCodes: string[] }>('/auth/mfa/verify', { code }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me }),
  });
}

export function useMfaDisable() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { password: string; code: string }) => api.post<unknown>('/auth/mfa/disable', input),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.me }),
  });
}

export function useRegenerateRecoveryCodes() {
  return useMutation({ mutationFn: (code: string) => api.post<{ recoveryCodes: string[] }>('/auth/mfa/recovery-codes', { code }) });
}
