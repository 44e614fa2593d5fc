// Platform admin dashboards: the installation's figures, per-workflow stats and the error list
// across workspaces (GET /admin/dashboard, /admin/workflows/stats, /admin/errors).
import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';

export type ExecutionStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'timed_out';

export type Uptime = { percent: number | null; okMinutes: number; expectedMinutes: number; since: string | null };

export type QueueStats = { queue: string; pending: number; blocked: number; running: number; dead: number; oldestPendingSeconds: number };

export type ActivityItem = {
  kind: 'audit' | 'execution';
  id: string;
  occurredAt: string;
  workspaceId: string;
  workspaceName: string | null;
  action: string;
  outcome: string;
  actorType: string | null;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
  label: string | null;
};

export type Dashboard = {
  generatedAt: string;
  uptime: { last24h: Uptime; last30d: Uptime; latestSample: { minute: string; isDbOk: boolean; dbLatencyMs: number | null; queueDepth: number | null } | null };
  errors24h: { total: number; serverErrors: number; failedExecutions: number; timedOutExecutions: number };
  executions24h: { total: number; byStatus: Record<ExecutionStatus, number> };
  revenueThisMonth: { monthStart: string; revenue: number; cost: number; completedExecutions: number };
  workspaces: { total: number; active24h: number; active30d: number };
  hourly: Array<{ hour: string; executions: number; failedExecutions: number; serverErrors: number }>;
  recentActivity: ActivityItem[];
  jobs: { queues: QueueStats[]; pending: number; running: number; dead: number; oldestPendingSeconds: number } | null;
};

export type ErrorSeverity = 'error' | 'warning';
export type ErrorSource = 'http' | 'execution';

export type AdminError = {
  id: string;
  source: ErrorSource;
  severity: ErrorSeverity;
  occurredAt: string;
  workspaceId: string | null;
  workspaceName: string | null;
  code: string | null;
  message: string | null;
  http: { method: string; endpoint: string; status: number; requestId: string | null } | null;
  execution: { executionId: string; workflowId: string; workflowName: string | null; status: string } | null;
};

export type AdminErrorFilters = { severity?: ErrorSeverity | ''; source?: ErrorSource | ''; workspaceId?: string; from?: string; to?: string };

export type WorkflowStats = {
  workspaceId: string; workspaceName: string; workflowId: string; workflowName: string; workflowStatus: string;
  executions: number; succeeded: number; failed: number; timedOut: number; cancelled: number; inProgress: number;
  successRate: number | null; avgDurationMs: number | null; revenue: number; cost: number; lastExecutionAt: string | null;
};
export type WorkflowStatsSort = 'executions' | 'revenue' | 'failures' | 'successRate' | 'avgDuration' | 'lastExecution';
export type WorkflowStatsQuery = { sort: WorkflowStatsSort; order: 'asc' | 'desc'; limit: number; offset: number; from?: string };
export type WorkflowStatsPage = { data: WorkflowStats[]; total: number; limit: number; offset: number; from: string; to: string };

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
