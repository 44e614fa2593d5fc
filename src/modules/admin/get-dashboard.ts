// GET /admin/dashboard: the installation at a glance, from real rows (platform path). Figures
// are computed on request, each from an indexed, time-bounded query, in one read transaction
// (one consistent snapshot). Queue stats come from the job engine; if it can't answer, the rest
// of the dashboard still does (`jobs: null`).
import type { Database } from '../../kernel/db/database.ts';
import type { Config } from '../../kernel/config.ts';
import { moneyFromDecimal } from '../../kernel/money.ts';
import type { Money } from '../../kernel/money.ts';
import type { JobEngine, QueueStats } from '../../kernel/jobs/index.ts';
import type { Logger } from '../../kernel/logging.ts';
import { computeUptime } from './compute-uptime.ts';
import type { Uptime } from './compute-uptime.ts';
import type { AdminReports } from './admin.context.ts';
import { selectLatestHealthSample } from './dashboard.store.ts';
import { countActiveWorkspaces, selectHourlySeries, selectRecentActivity } from './platform-reports.ts';
import type { ActiveWorkspaceCounts } from './platform-reports.ts';

const HOUR_MS = 60 * 60 * 1000;
const DAY_MS = 24 * HOUR_MS;
export const EXECUTION_STATUSES = ['pending', 'processing', 'completed', 'failed', 'cancelled', 'timed_out'] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];

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
  revenueThisMonth: { monthStart: string; revenue: Money; cost: Money; completedExecutions: number };
  workspaces: ActiveWorkspaceCounts;
  hourly: Array<{ hour: string; executions: number; failedExecutions: number; serverErrors: number }>;
  recentActivity: ActivityItem[];
  jobs: { queues: QueueStats[]; pending: number; running: number; dead: number; oldestPendingSeconds: number } | null;
};

export type DashboardContext = { config: Config; db: Database; log: Logger; jobs?: JobEngine; reports: AdminReports };

export async function getDashboard(deps: DashboardContext, options: { now?: Date; activityLimit?: number } = {}): Promise<Dashboard> {
  const now = options.now ?? new Date();
  const since24h = new Date(now.getTime() - DAY_MS);
  const since30d = new Date(now.getTime() - 30 * DAY_MS);
  const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  // 24 hourly buckets: the current hour and the 23 before it.
  const firstHour = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS - 23 * HOUR_MS);

  const jobsPromise = loadQueueStats(deps);
  const figures = await deps.db.withPlatform(async (tx) => {
    // One statement at a time on one connection (pipelined by the pool).
    const uptime24h = await computeUptime(tx, DAY_MS, now);
    const uptime30d = await computeUptime(tx, 30 * DAY_MS, now);
    const latest = await selectLatestHealthSample(tx);
    const { workflows, apiLogs } = deps.reports;
    const serverErrors = await apiLogs.platform.countServerErrors(tx, since24h);
    const failed = await workflows.platform.countFailedExecutions(tx, since24h);
    const byStatus = await workflows.platform.countExecutionsByStatus(tx, since24h);
    const revenue = await workflows.platform.sumCompletedRevenue(tx, monthStart);
    const workspaces = await countActiveWorkspaces(tx, deps.reports, since24h, since30d);
    const series = await selectHourlySeries(tx, deps.reports, firstHour);
    const activity = await selectRecentActivity(tx, deps.reports, new Date(now.getTime() - 7 * DAY_MS), since24h, options.activityLimit ?? 20);
    return { uptime24h, uptime30d, latest, serverErrors, failed, byStatus, revenue, workspaces, series, activity };
  });
  const jobs = await jobsPromise;

  const statusCounts = Object.fromEntries(EXECUTION_STATUSES.map((s) => [s, 0])) as Record<ExecutionStatus, number>;
  for (const { status, count } of figures.byStatus) if (status in statusCounts) statusCounts[status as ExecutionStatus] = count;
  const byHour = new Map(figures.series.map((b) => [b.hour.getTime(), b]));
  const hourly = Array.from({ length: 24 }, (_, i) => {
    const hour = new Date(firstHour.getTime() + i * HOUR_MS);
    const b = byHour.get(hour.getTime());
    return { hour: hour.toISOString(), executions: b?.executions ?? 0, failedExecutions: b?.failedExecutions ?? 0, serverErrors: b?.serverErrors ?? 0 };
  });

  return {
    generatedAt: now.toISOString(),
    uptime: {
      last24h: figures.uptime24h,
      last30d: figures.uptime30d,
      latestSample: figures.latest
        ? { minute: figures.latest.minute.toISOString(), isDbOk: figures.latest.isDbOk, dbLatencyMs: figures.latest.dbLatencyMs, queueDepth: figures.latest.queueDepth }
        : null,
    },
    errors24h: {
      total: figures.serverErrors + figures.failed.failed,
      serverErrors: figures.serverErrors,
      failedExecutions: figures.failed.failed,
      timedOutExecutions: figures.failed.timedOut,
    },
    executions24h: { total: Object.values(statusCounts).reduce((a, b) => a + b, 0), byStatus: statusCounts },
    revenueThisMonth: {
      monthStart: monthStart.toISOString(), revenue: moneyFromDecimal(figures.revenue.revenue, deps.config.currency), cost: moneyFromDecimal(figures.revenue.cost, deps.config.currency),
      completedExecutions: figures.revenue.completed,
    },
    workspaces: figures.workspaces,
    hourly,
    recentActivity: figures.activity.map((a) => ({ ...a, occurredAt: a.occurredAt.toISOString() })),
    jobs,
  };
}

async function loadQueueStats(deps: DashboardContext): Promise<Dashboard['jobs']> {
  if (!deps.jobs) return null;
  try {
    const queues = await deps.jobs.stats();
    return {
      queues,
      pending: queues.reduce((s, q) => s + q.pending, 0),
      running: queues.reduce((s, q) => s + q.running, 0),
      dead: queues.reduce((s, q) => s + q.dead, 0),
      oldestPendingSeconds: queues.reduce((m, q) => Math.max(m, q.oldestPendingSeconds), 0),
    };
  } catch (err) {
    deps.log.warn({ err }, 'admin dashboard: job queue stats unavailable');
    return null;
  }
}
