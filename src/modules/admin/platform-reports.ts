// The installation-wide figures the dashboard and the error page show, composed from the report
// doors of the modules that own the data (workflows, apilogs, audit; compose.ts wires them) and
// tenancy's workspace_directory for names. One platform transaction: one consistent snapshot.
import type { Tx } from '../../kernel/db/database.ts';
import type { AdminReports } from './admin.context.ts';
import { selectLiveWorkspaceIds, selectWorkspaceNames } from './dashboard.store.ts';

export type HourBucket = { hour: Date; executions: number; failedExecutions: number; serverErrors: number };

/** Per hour since `since`: executions created, of which failed or timed out, and 5xx answers. */
export async function selectHourlySeries(tx: Tx, reports: AdminReports, since: Date): Promise<HourBucket[]> {
  const [executions, errors] = await Promise.all([reports.workflows.platform.hourlyExecutions(tx, since), reports.apiLogs.platform.hourlyServerErrors(tx, since)]);
  const byHour = new Map<number, HourBucket>();
  const bucket = (hour: Date) => {
    let b = byHour.get(hour.getTime());
    if (!b) byHour.set(hour.getTime(), (b = { hour, executions: 0, failedExecutions: 0, serverErrors: 0 }));
    return b;
  };
  for (const e of executions) Object.assign(bucket(e.hour), { executions: e.executions, failedExecutions: e.failed });
  for (const e of errors) bucket(e.hour).serverErrors = e.serverErrors;
  return [...byHour.values()];
}

export type ActiveWorkspaceCounts = { total: number; active24h: number; active30d: number };

/** Workspaces (not deleted) with activity: an API request or an execution, in 24 h and in 30 days. */
export async function countActiveWorkspaces(tx: Tx, reports: AdminReports, since24h: Date, since30d: Date): Promise<ActiveWorkspaceCounts> {
  const live = await selectLiveWorkspaceIds(tx);
  const activeSince = async (since: Date): Promise<number> => {
    const viaApi = await reports.apiLogs.platform.activeAmong(tx, live, since);
    const viaRuns = await reports.workflows.platform.activeAmong(tx, live.filter((id) => !viaApi.has(id)), since);
    return viaApi.size + viaRuns.size;
  };
  return { total: live.length, active24h: await activeSince(since24h), active30d: await activeSince(since30d) };
}

export type ActivityRow = {
  kind: 'audit' | 'execution'; id: string; occurredAt: Date; workspaceId: string; workspaceName: string | null; action: string; outcome: string;
  actorType: string | null; actorId: string | null; targetType: string | null; targetId: string | null; label: string | null;
};

const newestFirst = (a: { occurredAt: Date; id: string }, b: { occurredAt: Date; id: string }) =>
  b.occurredAt.getTime() - a.occurredAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);

/** The latest audit events (since `auditSince`) and executions (since `executionSince`), newest first. */
export async function selectRecentActivity(tx: Tx, reports: AdminReports, auditSince: Date, executionSince: Date, limit: number): Promise<ActivityRow[]> {
  const [events, runs] = await Promise.all([reports.audit.recentEventsAcross(tx, auditSince, limit), reports.workflows.platform.recentExecutions(tx, executionSince, limit)]);
  const rows: Array<Omit<ActivityRow, 'workspaceName'>> = [
    ...events.map((a) => ({ kind: 'audit' as const, id: a.id, occurredAt: a.occurredAt, workspaceId: a.workspaceId, action: a.action, outcome: a.outcome, actorType: a.actorType, actorId: a.actorId, targetType: a.targetType, targetId: a.targetId, label: null })),
    ...runs.map((e) => ({ kind: 'execution' as const, id: e.id, occurredAt: e.occurredAt, workspaceId: e.workspaceId, action: `execution.${e.status}`, outcome: e.status, actorType: e.actorType, actorId: e.actorId, targetType: 'workflow', targetId: e.workflowId, label: e.workflowName })),
  ].sort(newestFirst).slice(0, limit);
  const names = await selectWorkspaceNames(tx, [...new Set(rows.map((r) => r.workspaceId))]);
  return rows.map((r) => ({ ...r, workspaceName: names.get(r.workspaceId) ?? null }));
}

export type ErrorSource = 'http' | 'execution';
export type ErrorSeverity = 'error' | 'warning';
export type ErrorFilters = { severity?: ErrorSeverity; source?: ErrorSource; workspaceId?: string; from?: Date; to?: Date };
export type ErrorKeyset = { occurredAt: string; id: string };

export type ErrorRow = {
  source: ErrorSource; id: string; occurredAt: Date; severity: ErrorSeverity; workspaceId: string | null; workspaceName: string | null;
  code: string | null; message: string | null; method: string | null; endpoint: string | null; httpStatus: number | null; requestId: string | null;
  workflowId: string | null; workflowName: string | null; executionStatus: string | null;
};

/**
 * 5xx answers (always `error`; a 4xx is the caller's mistake and stays in the workspace's API
 * logs) and failed (`error`) or timed-out (`warning`) executions, one list, newest first: each
 * owner answers a page after the keyset, the two are merged and cut.
 */
export async function selectErrorPage(tx: Tx, reports: AdminReports, filters: ErrorFilters, after: ErrorKeyset | undefined, limit: number): Promise<ErrorRow[]> {
  const includeHttp = filters.source !== 'execution' && filters.severity !== 'warning';
  const includeExec = filters.source !== 'http';
  const [http, runs] = await Promise.all([
    includeHttp ? reports.apiLogs.platform.serverErrorPage(tx, filters, after, limit) : [],
    includeExec ? reports.workflows.platform.executionErrorPage(tx, filters, after, limit) : [],
  ]);
  const rows: Array<Omit<ErrorRow, 'workspaceName'>> = [
    ...http.map((l) => ({
      source: 'http' as const, id: l.id, occurredAt: l.occurredAt, severity: 'error' as const, workspaceId: l.workspaceId, code: l.code, message: l.message,
      method: l.method, endpoint: l.endpoint, httpStatus: l.status, requestId: l.requestId, workflowId: null, workflowName: null, executionStatus: null,
    })),
    ...runs.map((e) => ({
      source: 'execution' as const, id: e.id, occurredAt: e.occurredAt, severity: e.severity, workspaceId: e.workspaceId, code: e.code, message: e.message,
      method: null, endpoint: null, httpStatus: null, requestId: null, workflowId: e.workflowId, workflowName: e.workflowName, executionStatus: e.status,
    })),
  ].sort(newestFirst).slice(0, limit);
  const names = await selectWorkspaceNames(tx, [...new Set(rows.flatMap((r) => (r.workspaceId ? [r.workspaceId] : [])))]);
  return rows.map((r) => ({ ...r, workspaceName: r.workspaceId ? names.get(r.workspaceId) ?? null : null }));
}
