import { Type } from '@fastify/type-provider-typebox';
import { MoneySchema } from '../../kernel/money.ts';
import type { TSchema } from '@fastify/type-provider-typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

const UptimeSchema = Type.Object({
  ratio: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'OK minutes / expected minutes, a fraction 0–1; null before the first sample' }),
  okMinutes: Type.Integer(),
  expectedMinutes: Type.Integer(),
  since: Type.Union([DateTime, Type.Null()], { description: 'Start of the counted minutes: the later of the window start and the first sample ever' }),
});

const QueueStatsSchema = Type.Object({
  queue: Type.String(),
  pending: Type.Integer(),
  blocked: Type.Integer(),
  running: Type.Integer(),
  dead: Type.Integer(),
  oldestPendingSeconds: Type.Number(),
});

export const DashboardSchema = Type.Object({
  generatedAt: DateTime,
  uptime: Type.Object({
    last24h: UptimeSchema,
    last30d: UptimeSchema,
    latestSample: Type.Union([Type.Object({ minute: DateTime, isDbOk: Type.Boolean(), dbLatencyMs: Nullable(Type.Number()), queueDepth: Nullable(Type.Integer()) }), Type.Null()]),
  }),
  errors24h: Type.Object({
    total: Type.Integer({ description: '5xx answers + failed executions' }),
    serverErrors: Type.Integer(),
    failedExecutions: Type.Integer(),
    timedOutExecutions: Type.Integer({ description: 'Warnings; not in total' }),
  }),
  executions24h: Type.Object({
    total: Type.Integer(),
    byStatus: Type.Object({
      pending: Type.Integer(), processing: Type.Integer(), completed: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer(), timed_out: Type.Integer(),
    }),
  }),
  revenueThisMonth: Type.Object({
    monthStart: DateTime,
    revenue: { ...MoneySchema, description: 'Revenue of the executions completed this month (UTC), in the installation currency' },
    cost: MoneySchema,
    completedExecutions: Type.Integer(),
  }),
  workspaces: Type.Object({
    total: Type.Integer({ description: 'Workspaces not deleted' }),
    active24h: Type.Integer({ description: 'With an API request or an execution in the last 24 hours' }),
    active30d: Type.Integer(),
  }),
  hourly: Type.Array(Type.Object({ hour: DateTime, executions: Type.Integer(), failedExecutions: Type.Integer(), serverErrors: Type.Integer() }), { description: '24 buckets, oldest first; the last is the current hour' }),
  recentActivity: Type.Array(Type.Object({
    kind: Type.Union([Type.Literal('audit'), Type.Literal('execution')]),
    id: Uuid,
    occurredAt: DateTime,
    workspaceId: Uuid,
    workspaceName: Nullable(Type.String()),
    action: Type.String({ description: 'The audit action, or execution.<status>' }),
    outcome: Type.String(),
    actorType: Nullable(Type.String()),
    actorId: Nullable(Type.String()),
    targetType: Nullable(Type.String()),
    targetId: Nullable(Type.String()),
    label: Nullable(Type.String({ description: 'The workflow\'s name for an execution' })),
  })),
  jobs: Type.Union([
    Type.Object({ queues: Type.Array(QueueStatsSchema), pending: Type.Integer(), running: Type.Integer(), dead: Type.Integer(), oldestPendingSeconds: Type.Number() }),
    Type.Null(),
  ], { description: 'Null when the job engine could not answer' }),
});

export const ErrorListQuery = Type.Object({
  severity: Type.Optional(Type.Union([Type.Literal('error'), Type.Literal('warning')], { description: 'error: 5xx answers and failed executions; warning: timed-out executions' })),
  source: Type.Optional(Type.Union([Type.Literal('http'), Type.Literal('execution')])),
  workspaceId: Type.Optional(Uuid),
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
}, { additionalProperties: false });

export const AdminErrorSchema = Type.Object({
  id: Uuid,
  source: Type.Union([Type.Literal('http'), Type.Literal('execution')]),
  severity: Type.Union([Type.Literal('error'), Type.Literal('warning')]),
  occurredAt: DateTime,
  workspaceId: Nullable(Uuid),
  workspaceName: Nullable(Type.String()),
  code: Nullable(Type.String()),
  message: Nullable(Type.String()),
  http: Type.Union([Type.Object({ method: Type.String(), endpoint: Type.String(), status: Type.Integer(), requestId: Nullable(Type.String()) }), Type.Null()]),
  execution: Type.Union([Type.Object({ executionId: Uuid, workflowId: Uuid, workflowName: Nullable(Type.String()), status: Type.String() }), Type.Null()]),
});

export const AdminErrorPageSchema = Type.Object({ data: Type.Array(AdminErrorSchema), nextCursor: Nullable(Type.String()) });

export const WorkflowStatsQuery = Type.Object({
  from: Type.Optional(DateTime),
  to: Type.Optional(DateTime),
  workspaceId: Type.Optional(Uuid),
  sort: Type.Optional(Type.Union([
    Type.Literal('executions'), Type.Literal('revenue'), Type.Literal('failures'), Type.Literal('successRate'), Type.Literal('avgDuration'), Type.Literal('lastExecution'),
  ], { default: 'executions' })),
  order: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
  offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 100_000, default: 0 })),
}, { additionalProperties: false });

export const WorkflowStatsSchema = Type.Object({
  workspaceId: Uuid,
  workspaceName: Type.String(),
  workflowId: Uuid,
  workflowName: Type.String(),
  workflowStatus: Type.String(),
  executions: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer(),
  timedOut: Type.Integer(),
  cancelled: Type.Integer(),
  inProgress: Type.Integer(),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'Fraction 0–1 of finished executions that completed (cancelled ones excluded)' }),
  avgDurationMs: Type.Union([Type.Integer(), Type.Null()]),
  revenue: MoneySchema,
  cost: MoneySchema,
  lastExecutionAt: Type.Union([DateTime, Type.Null()]),
});

export const WorkflowStatsPageSchema = Type.Object({
  data: Type.Array(WorkflowStatsSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
  from: DateTime,
  to: DateTime,
});
