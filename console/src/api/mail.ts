// The dev mailbox: the outbox of the current workspace, or of every workspace for a platform admin.
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { Mail, MailPage } from './types.ts';
import { useSession } from '../auth/session.tsx';

const PAGE_SIZE = 50;

export function useMailbox(scope: 'workspace' | 'all') {
  const { workspaceId } = useSession();
  const path = scope === 'all' ? '/admin/mail' : '/mail';
  return useInfiniteQuery({
    queryKey: scope === 'all' ? keys.admin('mail') : keys.workspace(workspaceId, 'mail'),
    queryFn: ({ pageParam, signal }) => api.get<MailPage>(path, { limit: PAGE_SIZE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 10_000,
  });
}

/** One mail of the workspace outbox (for a link to a mail beyond the loaded pages). */
export function useMail(id: string | null, options: { enabled: boolean }) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'mail', id ?? ''),
    queryFn: ({ signal }) => api.get<Mail>(`/mail/${encodeURIComponent(id ?? '')}`, undefined, { signal }),
    enabled: options.enabled && id !== null,
  });
}
