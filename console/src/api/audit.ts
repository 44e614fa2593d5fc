// The audit trail of the current workspace: filtered pages, one event, verification, export.
import { useInfiniteQuery, useMutation } from '@tanstack/react-query';
import { api, download } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

// The event's shape is the server's own type (types only; nothing of the server is bundled).
import type { AuditActorType, AuditEvent, AuditOutcome, ChainVerification } from '../../../src/modules/audit/audit.types.ts';
export type { AuditActorType, AuditEvent, AuditOutcome, ChainVerification } from '../../../src/modules/audit/audit.types.ts';

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
