// The audit trail of the current workspace: filtered pages, one event, verification, export.
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api, download } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

export type AuditActorType = 'user' | 'api_key' | 'system' | 'platform_admin';
export type AuditOutcome = 'success' | 'failure' | 'denied';

export type AuditEvent = {
  id: string;
  workspaceId: string;
  seq: number;
  occurredAt: string;
  actorType: AuditActorType;
  actorId: string | null;
  realActorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  diff: { before?: Record<string, unknown> | null; after?: Record<string, unknown> | null } | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  traceId: string | null;
  outcome: AuditOutcome;
  prevHash: string;
  hash: string;
};

export type AuditFilters = {
  action?: string;
  actorType?: AuditActorType | '';
  actorId?: string;
  targetType?: string;
  targetId?: string;
  outcome?: AuditOutcome | '';
  from?: string;
  to?: string;
  sort?: 'asc' | 'desc';
};

export type ChainVerification = {
  isValid: boolean;
  checked: number;
  anchorSeq: number;
  headSeq: number;
  firstBrokenSeq?: number;
  firstBrokenId?: string;
  reason?: 'hash_mismatch' | 'prev_hash_mismatch' | 'seq_gap';
};

const PAGE_SIZE = 50;

/** Only the filters that are set, as query parameters. */
export function auditQuery(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => typeof v === 'string' && v.trim() !== '').map(([k, v]) => [k, (v as string).trim()]));
}

export function useAuditEvents(filters: AuditFilters) {
  const { workspaceId } = useSession();
  const query = auditQuery(filters);
  return useInfiniteQuery({
    queryKey: keys.workspace(workspaceId, 'audit', JSON.stringify(query)),
    queryFn: ({ pageParam, signal }) => api.get<{ data: AuditEvent[]; nextCursor: string | null }>('/audit/events', { ...query, limit: PAGE_SIZE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useVerifyAuditChain() {
  return useMutation({ mutationFn: () => api.get<ChainVerification>('/audit/verify') });
}

/** Downloads the export of the filtered events and hands it to the browser as a file. */
export function useExportAudit() {
  return useMutation({
    mutationFn: async ({ format, filters }: { format: 'csv' | 'json'; filters: AuditFilters }) => {
      const blob = await download('/audit/export', { ...auditQuery(filters), format });
      const url = URL.createObjectURL(blob);
      const link = document.createElement('a');
      link.href = url;
      link.download = `audit-${new Date().toISOString().slice(0, 10)}.${format}`;
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 1000);
      return { format, bytes: blob.size };
    },
  });
}
