// Platform admin dashboards: the installation's figures, per-workflow stats and the error list
// across workspaces (GET /admin/dashboard, /admin/workflows/stats, /admin/errors).
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';

import type { QueryOf, ResponseOf } from './contract.ts';

// Types generated from the server's OpenAPI document (contract.ts): never copied by hand.
export type Dashboard = ResponseOf<'/api/v1/admin/dashboard', 'get'>;
export type ExecutionStatus = keyof Dashboard['executions24h']['byStatus'];
export type Uptime = Dashboard['uptime']['last24h'];
export type QueueStats = NonNullable<Dashboard['jobs']>['queues'][number];
export type ActivityItem = Dashboard['recentActivity'][number];

type ErrorPage = ResponseOf<'/api/v1/admin/errors', 'get'>;
export type AdminError = ErrorPage['data'][number];
export type ErrorSeverity = AdminError['severity'];
export type ErrorSource = AdminError['source'];
export type AdminErrorFilters = { severity?: ErrorSeverity | ''; source?: ErrorSource | ''; workspaceId?: string; from?: string; to?: string };

export type WorkflowStatsPage = ResponseOf<'/api/v1/admin/workflows/stats', 'get'>;
export type WorkflowStats = WorkflowStatsPage['data'][number];
export type WorkflowStatsSort = NonNullable<QueryOf<'/api/v1/admin/workflows/stats', 'get'>['sort']>;
export type WorkflowStatsQuery = { sort: WorkflowStatsSort; order: 'asc' | 'desc'; limit: number; offset: number; from?: string };

const ERROR_PAGE = 25;

/** Only the filters that are set, as query parameters. */
function setFilters(filters: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '').map(([k, v]) => [k, v.trim()]));
}

/** The dashboard, refreshed every 30 s while the page is open. */
export function useAdminDashboard() {
  return useQuery({
    queryKey: keys.admin('dashboard'),
    queryFn: ({ signal }) => api.get<Dashboard>('/admin/dashboard', undefined, { signal }),
    refetchInterval: 30_000,
  });
}

export function useAdminErrors(filters: AdminErrorFilters) {
  const query = setFilters(filters);
  return useInfiniteQuery({
    queryKey: keys.admin('errors', query),
    queryFn: ({ pageParam, signal }) => api.get<{ data: AdminError[]; nextCursor: string | null }>('/admin/errors', { ...query, limit: ERROR_PAGE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    placeholderData: keepPreviousData,
  });
}

export function useAdminWorkflowStats(query: WorkflowStatsQuery) {
  return useQuery({
    queryKey: keys.admin('workflow-stats', query),
    queryFn: ({ signal }) => api.get<WorkflowStatsPage>('/admin/workflows/stats', query, { signal }),
    placeholderData: keepPreviousData,
  });
}
