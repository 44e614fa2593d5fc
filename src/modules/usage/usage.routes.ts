// /usage: quotas and budgets (read, set within the plan), the raw usage events, summaries and
// alerts; /admin/workspaces/:id/quotas for platform admins (any limit, above the plan).
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { tenancyErrors } from '../tenancy/index.ts';
import type { UsageContext } from './usage.context.ts';
import type { SubjectExists } from './set-quota.ts';
import { removeQuota, setQuota } from './set-quota.ts';
import { getQuotas } from './get-quotas.ts';
import { listUsageEvents } from './list-usage-events.ts';
import { summarizeUsage } from './summarize-usage.ts';
import { selectAlerts } from './usage.store.ts';
import { Readable } from 'node:stream';
import { exportUsage } from './export-usage.ts';
import { QuotasSchema, Scope, SetQuotaBody, UsageAlertSchema, UsageEventQuery, UsageEventSchema, UsageSummaryQuery, UsageSummarySchema } from './usage.schema.ts';

const tags = ['usage'];
const Uuid = Type.String({ format: 'uuid' });

async function planOf(ctx: UsageContext, tx: Parameters<UsageContext['tenancy']['getWorkspace']>[0], workspaceId: string): Promise<string> {
  const workspace = await ctx.tenancy.getWorkspace(tx, workspaceId);
  if (!workspace) throw tenancyErrors.create('WORKSPACE_NOT_FOUND');
  return workspace.plan;
}

export function usageRoutes(ctx: UsageContext & { subjectExists: SubjectExists }): RoutePlugin {
  return async (app) => {
    app.get('/usage/quotas', {
      config: { permission: 'usage.read' },
      schema: { tags, summary: 'The month\'s AI quotas and budgets: limits, spend and what calls in flight hold, per workspace, API key and agent', response: { 200: QuotasSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => getQuotas(tx, ws, await planOf(ctx, tx, ws)));
    });

    app.put('/usage/quotas', {
      config: { permission: 'usage.manage' },
      schema: {
        tags, summary: 'Set the monthly limits of the workspace, an API key or an agent (within the plan)',
        description: 'Limits: `monthlyTokens` and `monthlyCostMicros` (USD micro-units), null for no limit. `extra` adds a temporary increase until `expiresAt`. A workspace admin stays within the plan (403 QUOTA_ABOVE_PLAN); platform admins use /admin/workspaces/{id}/quotas.',
        body: SetQuotaBody, response: { 200: QuotasSchema },
      },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, async (tx) => {
        const plan = await planOf(ctx, tx, ws);
        await setQuota(ctx, tx, auditContextOf(request), ws, plan, request.body, { isAbovePlanAllowed: false });
        return getQuotas(tx, ws, plan);
      });
    });

    app.delete('/usage/quotas/:scope/:subjectId', {
      config: { permission: 'usage.manage' },
      schema: { tags, summary: 'Remove a custom quota (the workspace falls back to its plan\'s limits, a key or agent to none)', params: Type.Object({ scope: Scope, subjectId: Uuid }), response: { 204: Type.Null({ description: 'No content' }) } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, (tx) => removeQuota(ctx, tx, auditContextOf(request), ws, request.params.scope, request.params.subjectId));
      return reply.code(204).send(null);
    });

    app.get('/usage/events', {
      config: { permission: 'usage.read' },
      schema: { tags, summary: 'Raw usage events (one per model call), newest first', querystring: UsageEventQuery, response: { 200: Type.Object({ data: Type.Array(UsageEventSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, (tx) => listUsageEvents(tx, ws, request.query));
    });

    app.get('/usage/events.csv', {
      config: { permission: 'usage.read' },
      schema: {
        tags, summary: 'The raw usage events of a window as CSV, streamed (oldest first)',
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }),
        response: { 200: { description: 'A header line, then one line per event (costs in USD micro-units; empty cost: unpriced)', content: { 'text/csv': { schema: Type.String() } } } },
      },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const chunks = await exportUsage(ctx.db, ws, request.query);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="usage-${new Date().toISOString().slice(0, 10)}.csv"`).header('cache-control', 'no-store');
      return reply.send(Readable.from(chunks) as unknown as string);
    });

    app.get('/usage/summary', {
      config: { permission: 'usage.read' },
      schema: { tags, summary: 'Usage summed per hour/day/week/month or per model, provider, API key, agent or status', querystring: UsageSummaryQuery, response: { 200: UsageSummarySchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, (tx) => summarizeUsage(tx, ws, request.query, ctx.identity.apiKeyNames));
    });

    app.get('/admin/usage/summary', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'AI usage across every workspace (platform admins): the same sums as /usage/summary, and groupBy/split=workspace', querystring: UsageSummaryQuery, response: { 200: UsageSummarySchema } },
    }, async (request) => ctx.db.withPlatform((tx) => summarizeUsage(tx, null, request.query, ctx.identity.apiKeyNames)));

    app.get('/admin/usage/events.csv', {
      config: { auth: 'platform-admin' },
      schema: {
        tags: ['admin'], summary: 'Every workspace\'s raw usage events of a window as CSV, streamed (platform admins; workspace_id first)',
        querystring: Type.Object({ from: Type.Optional(Type.String({ format: 'date-time' })), to: Type.Optional(Type.String({ format: 'date-time' })) }),
        response: { 200: { description: 'A header line, then one line per event, hour by hour', content: { 'text/csv': { schema: Type.String() } } } },
      },
    }, async (request, reply) => {
      const chunks = await exportUsage(ctx.db, null, request.query);
      reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="usage-all-${new Date().toISOString().slice(0, 10)}.csv"`).header('cache-control', 'no-store');
      return reply.send(Readable.from(chunks) as unknown as string);
    });

    app.get('/usage/alerts', {
      config: { permission: 'usage.read' },
      schema: { tags, summary: 'Budget alerts (80 %, 100 %, burn rate), newest first', querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })) }), response: { 200: Type.Object({ data: Type.Array(UsageAlertSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const rows = await ctx.db.withWorkspace(ws, (tx) => selectAlerts(tx, ws, request.query.limit ?? 50));
      return { data: rows.map((r) => ({ id: r.id, scope: r.scope, subjectId: r.subject_id, period: r.period, kind: r.kind, metric: r.metric, details: r.details, createdAt: r.created_at.toISOString() })) };
    });

    app.put('/admin/workspaces/:id/quotas', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'Set a workspace\'s AI limits, above its plan if need be (platform admins)', params: Type.Object({ id: Uuid }), body: SetQuotaBody, response: { 200: QuotasSchema } },
    }, async (request) => {
      const ws = request.params.id;
      return ctx.db.withPlatform(async (tx) => {
        const plan = await planOf(ctx, tx, ws);
        await setQuota(ctx, tx, auditContextOf(request), ws, plan, request.body, { isAbovePlanAllowed: true });
        return getQuotas(tx, ws, plan);
      });
    });

    app.get('/admin/workspaces/:id/quotas', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'A workspace\'s AI quotas and the month\'s spend (platform admins)', params: Type.Object({ id: Uuid }), response: { 200: QuotasSchema } },
    }, async (request) => {
      const ws = request.params.id;
      return ctx.db.withPlatform(async (tx) => getQuotas(tx, ws, await planOf(ctx, tx, ws)));
    });
  };
}
