// The platform admin's dashboards: figures across every workspace (platform path). Registered
// inside adminRoutes, so its per-request admin log applies.
import type { RoutePlugin } from '../../kernel/module.ts';
import type { AdminContext } from './admin.context.ts';
import { AdminErrorPageSchema, DashboardSchema, ErrorListQuery, WorkflowStatsPageSchema, WorkflowStatsQuery } from './dashboard.schema.ts';
import { getDashboard } from './get-dashboard.ts';
import { listErrors } from './list-errors.ts';
import { listWorkflowStats } from './list-workflow-stats.ts';

const ADMIN = { auth: 'platform-admin' } as const;
const tags = ['admin'];

export function dashboardRoutes(deps: AdminContext): RoutePlugin {
  return async (app) => {
    app.get('/admin/dashboard', {
      config: ADMIN,
      schema: {
        tags,
        summary: 'The installation at a glance: uptime, errors and executions in 24 h, revenue this month, active workspaces, activity, job queues',
        description: 'Uptime = minutes with an OK health sample / minutes expected since the later of the window start and the first sample ever; a minute without a sample counts as down.',
        response: { 200: DashboardSchema },
      },
    }, async () => getDashboard(deps));

    app.get('/admin/workflows/stats', {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Per workflow across workspaces: executions, success rate, average duration, revenue (default window: the last 30 days)',
        querystring: WorkflowStatsQuery,
        response: { 200: WorkflowStatsPageSchema },
      },
    }, async (request) => listWorkflowStats(deps, request.query));

    app.get('/admin/errors', {
      config: ADMIN,
      schema: {
        tags,
        summary: 'Server errors (5xx) and failed or timed-out executions across workspaces, newest first; cursor pagination',
        description: 'Severity: `error` for a 5xx answer or a failed execution, `warning` for a timed-out execution. 4xx answers are the callers\' mistakes and stay in each workspace\'s API logs.',
        querystring: ErrorListQuery,
        response: { 200: AdminErrorPageSchema },
      },
    }, async (request) => listErrors(deps, request.query));
  };
}
