// Platform admin dashboard: the installation at a glance (uptime, errors, executions, revenue,
// active workspaces), executions and errors per hour, job queues, recent activity across
// workspaces, the error list with filters, and per-workflow stats. Refreshes every 30 s.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useAdminDashboard, useAdminErrors, useAdminWorkflowStats } from '../../api/admin-dashboard.ts';
import type { AdminError, AdminErrorFilters, Dashboard, ExecutionStatus, WorkflowStatsSort } from '../../api/admin-dashboard.ts';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import type { IconName } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading, Spinner } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { formatDateTime, formatDuration, formatMoney, formatPercent } from '../../lib/format.ts';
import { ExecutionsChart } from './admin-dashboard-chart.tsx';
import './admin-dashboard.css';

const integer = new Intl.NumberFormat();

const STATUS_LABEL: Record<ExecutionStatus, string> = {
  pending: 'Pending', processing: 'Processing', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled', timed_out: 'Timed out',
};
const STATUS_TONE: Record<ExecutionStatus, BadgeTone> = {
  pending: 'warning', processing: 'info', completed: 'success', failed: 'danger', cancelled: 'neutral', timed_out: 'warning',
};

const percent = (fraction: number | null) => formatPercent(fraction, 2);
const duration = formatDuration;

function Kpi({ icon, label, value, sub, tone, testId }: { icon: IconName; label: string; value: ReactNode; sub?: ReactNode; tone?: 'danger' | 'success'; testId: string }) {
  return (
    <div className={`stat dash-kpi${tone ? ` dash-kpi-${tone}` : ''}`}>
      <span className="stat-icon"><Icon name={icon} size={18} /></span>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={testId}>{value}</span>
      {sub ? <span className="dash-kpi-sub">{sub}</span> : null}
    </div>
  );
}

export function AdminDashboardPage() {
  const dashboard = useAdminDashboard();
  return (
    <>
      <PageHeader
        title="Platform dashboard"
        description="Every workspace of this installation: health, activity and money. Figures refresh every 30 seconds."
        actions={
          <div className="row">
            {dashboard.data ? <span className="muted small">Updated <RelativeTime iso={dashboard.data.generatedAt} /></span> : null}
            <button type="button" className="btn btn-secondary" onClick={() => void dashboard.refetch()} disabled={dashboard.isFetching}>
              {dashboard.isFetching ? <Spinner /> : <Icon name="refresh" />} Refresh
            </button>
          </div>
        }
      />
      {dashboard.isPending ? (
        <Card><Loading label="Loading the dashboard…" /></Card>
      ) : dashboard.isError ? (
        <Card><ErrorState error={dashboard.error} onRetry={() => void dashboard.refetch()} /></Card>
      ) : (
        <Overview data={dashboard.data} />
      )}
      <ErrorsCard />
      <WorkflowStatsCard />
    </>
  );
}

const ACTIVITY_SHOWN = 10;

function Overview({ data }: { data: Dashboard }) {
  const [isActivityExpanded, setIsActivityExpanded] = useState(false);
  const activity = isActivityExpanded ? data.recentActivity : data.recentActivity.slice(0, ACTIVITY_SHOWN);
  const { uptime, errors24h, executions24h, revenueThisMonth, workspaces } = data;
  const month = new Date(revenueThisMonth.monthStart).toLocaleDateString(undefined, { month: 'long', year: 'numeric', timeZone: 'UTC' });
  return (
    <>
      <div className="stats dash-kpis">
        <Kpi
          icon="shield" label="Uptime (24 h)" testId="kpi-uptime" value={percent(uptime.last24h.ratio)}
          tone={uptime.last24h.ratio !== null && uptime.last24h.ratio < 0.99 ? 'danger' : undefined}
          sub={uptime.last24h.ratio === null ? 'No health sample yet: workers record one a minute' : `30 days: ${percent(uptime.last30d.ratio)}`}
        />
        <Kpi
          icon="alert" label="Errors (24 h)" testId="kpi-errors" value={integer.format(errors24h.total)} tone={errors24h.total > 0 ? 'danger' : undefined}
          sub={`${integer.format(errors24h.serverErrors)} server · ${integer.format(errors24h.failedExecutions)} failed runs${errors24h.timedOutExecutions ? ` · ${integer.format(errors24h.timedOutExecutions)} timed out` : ''}`}
        />
        <Kpi
          icon="layers" label="Executions (24 h)" testId="kpi-executions" value={integer.format(executions24h.total)}
          sub={`${integer.format(executions24h.byStatus.completed)} completed · ${integer.format(executions24h.byStatus.processing + executions24h.byStatus.pending)} in progress`}
        />
        <Kpi
          icon="arrowRight" label="Revenue this month" testId="kpi-revenue" value={formatMoney(revenueThisMonth.revenue)}
          sub={`${month} · ${integer.format(revenueThisMonth.completedExecutions)} completed runs · cost ${formatMoney(revenueThisMonth.cost)}`}
        />
        <Kpi
          icon="building" label="Active workspaces" testId="kpi-workspaces" value={integer.format(workspaces.active24h)}
          sub={`in 24 h · ${integer.format(workspaces.active30d)} in 30 days · ${integer.format(workspaces.total)} in all`}
        />
      </div>

      <Card id="dash-chart" title="Executions and errors per hour" description="Last 24 hours. Errors are failed or timed-out executions and server errors (5xx).">
        {data.hourly.every((h) => h.executions === 0 && h.failedExecutions === 0 && h.serverErrors === 0) ? (
          <EmptyState icon="layers" title="Nothing ran in the last 24 hours">Executions appear here as workspaces run their workflows.</EmptyState>
        ) : null}
        <ExecutionsChart points={data.hourly} />
      </Card>

      <div className="grid-2">
        <Card id="dash-statuses" title="Executions by status" description="Created in the last 24 hours">
          <ul className="dash-bars">
            {(Object.keys(STATUS_LABEL) as ExecutionStatus[]).map((status) => {
              const n = executions24h.byStatus[status];
              const width = executions24h.total ? Math.max(n ? 2 : 0, (n / executions24h.total) * 100) : 0;
              return (
                <li key={status}>
                  <span className="dash-bar-label"><Badge tone={STATUS_TONE[status]}>{STATUS_LABEL[status]}</Badge></span>
                  <span className="dash-bar-track"><span className={`dash-bar dash-bar-${STATUS_TONE[status]}`} style={{ width: `${width}%` }} /></span>
                  <span className="dash-bar-value num">{integer.format(n)}</span>
                </li>
              );
            })}
          </ul>
        </Card>
        <Card id="dash-queues" title="Job queues" description={data.jobs ? `${integer.format(data.jobs.pending)} waiting · ${integer.format(data.jobs.running)} running · ${integer.format(data.jobs.dead)} dead` : undefined}>
          {data.jobs === null ? (
            <ErrorState error={new Error('The job engine did not answer; the other figures are current.')} />
          ) : data.jobs.queues.length === 0 ? (
            <EmptyState icon="inbox" title="No queued jobs">Queues appear here once work is enqueued.</EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr><th scope="col">Queue</th><th scope="col" className="num">Waiting</th><th scope="col" className="num">Running</th><th scope="col" className="num">Dead</th><th scope="col" className="num">Oldest wait</th></tr>
                </thead>
                <tbody>
                  {data.jobs.queues.map((q) => (
                    <tr key={q.queue}>
                      <td><code>{q.queue}</code></td>
                      <td className="num">{integer.format(q.pending + q.blocked)}</td>
                      <td className="num">{integer.format(q.running)}</td>
                      <td className="num">{q.dead ? <Badge tone="danger">{integer.format(q.dead)}</Badge> : 0}</td>
                      <td className="num">{q.oldestPendingSeconds ? duration(Math.round(q.oldestPendingSeconds * 1000)) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </Card>
      </div>

      <Card id="dash-activity" title="Recent activity" description="Audit events and executions across every workspace, newest first">
        {data.recentActivity.length === 0 ? (
          <EmptyState icon="inbox" title="No recent activity">Changes and executions in any workspace show up here.</EmptyState>
        ) : (
          <ul className="list dash-activity">
            {activity.map((a) => (
              <li key={`${a.kind}-${a.id}`} className="list-row">
                <span className={`dash-dot dash-dot-${a.kind === 'execution' ? STATUS_TONE[a.outcome as ExecutionStatus] ?? 'neutral' : a.outcome === 'success' ? 'accent' : 'danger'}`} aria-hidden="true" />
                <div className="list-main">
                  <span>
                    {a.kind === 'execution' ? <><strong>{a.label ?? 'Workflow'}</strong> {STATUS_LABEL[a.outcome as ExecutionStatus]?.toLowerCase() ?? a.outcome}</> : <code>{a.action}</code>}
                    <span className="muted"> · {a.workspaceName ?? 'deleted workspace'}</span>
                  </span>
                  <span className="muted small">{a.kind === 'audit' ? `${a.actorType ?? 'system'} on ${a.targetType ?? '—'}` : 'execution'}</span>
                </div>
                <RelativeTime iso={a.occurredAt} />
              </li>
            ))}
          </ul>
        )}
        {data.recentActivity.length > ACTIVITY_SHOWN ? (
          <div className="load-more">
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setIsActivityExpanded(!isActivityExpanded)}>
              {isActivityExpanded ? 'Show less' : `Show ${data.recentActivity.length - ACTIVITY_SHOWN} more`}
            </button>
          </div>
        ) : null}
      </Card>
    </>
  );
}

const SEVERITIES = [{ value: '', label: 'Errors and warnings' }, { value: 'error', label: 'Errors' }, { value: 'warning', label: 'Warnings' }];
const SOURCES = [{ value: '', label: 'All sources' }, { value: 'http', label: 'API (5xx)' }, { value: 'execution', label: 'Executions' }];
const EMPTY_FILTERS = { severity: '', source: '', workspaceId: '' };

function ErrorsCard() {
  const [form, setForm] = useState(EMPTY_FILTERS);
  const isWorkspaceValid = form.workspaceId === '' || /^[0-9a-f-]{36}$/i.test(form.workspaceId.trim());
  const filters: AdminErrorFilters = { severity: form.severity as AdminErrorFilters['severity'], source: form.source as AdminErrorFilters['source'], workspaceId: isWorkspaceValid ? form.workspaceId : '' };
  const errors = useAdminErrors(filters);
  const rows = errors.data?.pages.flatMap((p) => p.data) ?? [];
  const hasFilters = Object.values(form).some((v) => v !== '');
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));
  return (
    <Card id="dash-errors" title="Errors" description="Server errors (5xx) and failed executions are errors; timed-out executions are warnings. Client errors (4xx) stay in each workspace's API logs.">
      <form className="filter-grid dash-filters" aria-label="Filter errors" onSubmit={(e) => e.preventDefault()}>
        <SelectField label="Severity" value={form.severity} onChange={set('severity')} options={SEVERITIES} />
        <SelectField label="Source" value={form.source} onChange={set('source')} options={SOURCES} />
        <TextField label="Workspace id" value={form.workspaceId} onChange={set('workspaceId')} placeholder="uuid" error={isWorkspaceValid ? undefined : 'A workspace id is a uuid'} />
        {hasFilters ? (
          <div className="filter-actions">
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm(EMPTY_FILTERS)}>Clear filters</button>
          </div>
        ) : null}
      </form>
      {errors.isPending ? (
        <Loading label="Loading errors…" />
      ) : errors.isError ? (
        <ErrorState error={errors.error} onRetry={() => void errors.refetch()} />
      ) : rows.length === 0 ? (
        <EmptyState icon="check" title={hasFilters ? 'No error matches these filters' : 'No errors'}>
          {hasFilters ? 'Clear a filter to see more.' : 'Server errors and failed executions of every workspace will be listed here.'}
        </EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="errors-table">
              <thead>
                <tr><th scope="col">When</th><th scope="col">Severity</th><th scope="col">Where</th><th scope="col">What</th><th scope="col">Workspace</th></tr>
              </thead>
              <tbody>
                {rows.map((e) => <ErrorRow key={`${e.source}-${e.id}`} error={e} />)}
              </tbody>
            </table>
          </div>
          {errors.hasNextPage ? (
            <div className="load-more">
              <button type="button" className="btn btn-secondary btn-sm" onClick={() => void errors.fetchNextPage()} disabled={errors.isFetchingNextPage}>
                {errors.isFetchingNextPage ? 'Loading…' : 'Load older errors'}
              </button>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}

function ErrorRow({ error: e }: { error: AdminError }) {
  return (
    <tr>
      <td title={formatDateTime(e.occurredAt)}><RelativeTime iso={e.occurredAt} /></td>
      <td><Badge tone={e.severity === 'error' ? 'danger' : 'warning'}>{e.severity}</Badge></td>
      <td>
        {e.http ? (
          <span><span className="mono">{e.http.method}</span> <code>{e.http.endpoint}</code> <Badge tone="danger">{e.http.status}</Badge></span>
        ) : e.execution ? (
          <span><strong>{e.execution.workflowName ?? 'Workflow'}</strong> <span className="muted mono">{e.execution.executionId.slice(0, 8)}…</span></span>
        ) : null}
      </td>
      <td className="dash-error-what">
        {e.code ? <code>{e.code}</code> : null} {e.message ? <span className="muted">{e.message}</span> : null}
        {e.http?.requestId ? <span className="muted small block">Request id <span className="mono">{e.http.requestId}</span></span> : null}
      </td>
      <td>{e.workspaceName ?? <span className="muted">{e.workspaceId ? 'deleted workspace' : 'no workspace'}</span>}</td>
    </tr>
  );
}

const STATS_PAGE = 10;

function WorkflowStatsCard() {
  const [sort, setSort] = useState<WorkflowStatsSort>('executions');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [page, setPage] = useState(0);
  const stats = useAdminWorkflowStats({ sort, order, limit: STATS_PAGE, offset: page * STATS_PAGE });
  const sortBy = (key: WorkflowStatsSort) => {
    setPage(0);
    if (sort === key) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setOrder('desc');
    }
  };
  const header = (label: string, key: WorkflowStatsSort) => (
    <th scope="col" className="num" aria-sort={sort === key ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="sort-button" onClick={() => sortBy(key)}>
        {label}
        <span className="sort-indicator" aria-hidden="true">{sort === key ? (order === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );
  const total = stats.data?.total ?? 0;
  return (
    <Card id="dash-workflows" title="Workflows" description="Per workflow across workspaces, executions of the last 30 days. Success rate counts finished runs; duration and revenue are of completed runs.">
      {stats.isPending ? (
        <Loading label="Loading workflow stats…" />
      ) : stats.isError ? (
        <ErrorState error={stats.error} onRetry={() => void stats.refetch()} />
      ) : stats.data.data.length === 0 ? (
        <EmptyState icon="layers" title="No executions in the last 30 days">Workflows appear here once a workspace runs one.</EmptyState>
      ) : (
        <>
          <div className="table-wrap">
            <table className="table" data-testid="workflow-stats-table">
              <thead>
                <tr>
                  <th scope="col">Workflow</th>
                  <th scope="col">Workspace</th>
                  {header('Runs', 'executions')}
                  {header('Failures', 'failures')}
                  {header('Success', 'successRate')}
                  {header('Avg duration', 'avgDuration')}
                  {header('Revenue', 'revenue')}
                  {header('Last run', 'lastExecution')}
                </tr>
              </thead>
              <tbody>
                {stats.data.data.map((w) => (
                  <tr key={`${w.workspaceId}-${w.workflowId}`}>
                    <td><strong>{w.workflowName}</strong> {w.workflowStatus !== 'deployed' ? <Badge>{w.workflowStatus}</Badge> : null}</td>
                    <td>{w.workspaceName}</td>
                    <td className="num">{integer.format(w.executions)}</td>
                    <td className="num">{w.failed + w.timedOut ? <Badge tone="danger">{integer.format(w.failed + w.timedOut)}</Badge> : 0}</td>
                    <td className="num">{percent(w.successRate)}</td>
                    <td className="num">{duration(w.avgDurationMs)}</td>
                    <td className="num">{formatMoney(w.revenue)}</td>
                    <td className="num"><RelativeTime iso={w.lastExecutionAt} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {total > STATS_PAGE ? (
            <div className="pagination">
              <span className="muted small">{page * STATS_PAGE + 1}–{Math.min(total, (page + 1) * STATS_PAGE)} of {total}</span>
              <div className="row">
                <button type="button" className="btn btn-secondary btn-sm" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
                <button type="button" className="btn btn-secondary btn-sm" disabled={(page + 1) * STATS_PAGE >= total} onClick={() => setPage(page + 1)}>Next</button>
              </div>
            </div>
          ) : null}
        </>
      )}
    </Card>
  );
}
