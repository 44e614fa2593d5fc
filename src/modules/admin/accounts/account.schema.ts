// The client account and the workspace overview, as the admin API shows and takes them. Units:
// money is `{ amountMinor, currency }`, rates are fractions 0–1, durations are milliseconds.
import { Type } from '@fastify/type-provider-typebox';
import { CurrencySchema, MoneySchema } from '../../../kernel/money.ts';
import { AuditEventSchema } from '../../audit/index.ts';
import { WorkspacePlanSchema } from '../../tenancy/index.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const CalendarDate = Type.String({ format: 'date', description: 'A calendar date, YYYY-MM-DD' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const SubscriptionPeriodSchema = Type.Union([Type.Literal('month'), Type.Literal('year')], { description: 'Billing period' });
export const SubscriptionStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('past_due'), Type.Literal('cancelled')]);

export const SubscriptionSchema = Type.Object({
  amount: { ...MoneySchema, description: 'What the client pays per billing period' },
  period: SubscriptionPeriodSchema,
  status: SubscriptionStatusSchema,
  startsOn: CalendarDate,
  endsOn: Nullable(CalendarDate),
});

const METADATA_KEY = '^[A-Za-z0-9_.:-]{1,40}$';
export const METADATA_MAX_KEYS = 50;

export const AccountSchema = Type.Object({
  subscription: Type.Union([SubscriptionSchema, Type.Null()], { description: 'null: no subscription recorded' }),
  notes: Type.String({ description: 'The operator\'s notes about this client (never shown to the workspace)' }),
  metadata: Type.Record(Type.String(), Type.String(), { description: 'Free-form key/value pairs (CRM id, contract number…)' }),
  updatedAt: Nullable(DateTime),
  updatedBy: Nullable(Uuid),
});

export const SubscriptionPatchSchema = Type.Object({
  amountMinor: Type.Optional(Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Minor units of the currency (cents for EUR)' })),
  currency: Type.Optional(CurrencySchema),
  period: Type.Optional(SubscriptionPeriodSchema),
  status: Type.Optional(SubscriptionStatusSchema),
  startsOn: Type.Optional(CalendarDate),
  endsOn: Type.Optional(Nullable(CalendarDate)),
}, { additionalProperties: false, description: 'Merged into the current subscription; a new one needs amountMinor, currency, period and startsOn (status defaults to active)' });

export const AccountPatchBody = Type.Object({
  plan: Type.Optional(WorkspacePlanSchema),
  subscription: Type.Optional(Type.Union([SubscriptionPatchSchema, Type.Null()], { description: 'null removes the subscription' })),
  notes: Type.Optional(Type.String({ maxLength: 10_000 })),
  metadata: Type.Optional(Type.Record(
    Type.String({ pattern: METADATA_KEY }),
    Type.Union([Type.String({ maxLength: 500 }), Type.Null()]),
    { maxProperties: METADATA_MAX_KEYS, additionalProperties: false, description: `Merged into the current metadata, as Stripe does: a key set to null or "" is removed; at most ${METADATA_MAX_KEYS} keys of 1–40 characters [A-Za-z0-9_.:-], values up to 500 characters` },
  )),
}, { additionalProperties: false, minProperties: 1 });

export const OverviewQuery = Type.Object({
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the usage window (default: 30 days before `to`)' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'End of the usage window, exclusive (default: now); at most 366 days after `from`' })),
}, { additionalProperties: false });

const CountsByStatus = Type.Record(Type.String(), Type.Integer(), { description: 'Count per status (statuses with none are absent)' });

export const UsageSchema = Type.Object({
  executions: Type.Integer({ description: 'Executions created in the window' }),
  completed: Type.Integer(),
  failed: Type.Integer({ description: 'Failed or timed out' }),
  cancelled: Type.Integer(),
  running: Type.Integer({ description: 'Pending or processing now' }),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'completed / (completed + failed), a fraction 0–1; null when none finished' }),
  averageDurationMs: Type.Union([Type.Integer(), Type.Null()], { description: 'Average duration of completed executions, in ms' }),
  revenue: { ...MoneySchema, description: 'Revenue of the completed executions (workflow prices, in the installation currency)' },
  cost: { ...MoneySchema, description: 'Cost of the completed executions' },
  apiRequests: Type.Integer({ description: 'API requests in the window' }),
  clientErrors: Type.Integer({ description: '4xx answers' }),
  serverErrors: Type.Integer({ description: '5xx answers' }),
});

export const OverviewWorkflowSchema = Type.Object({
  id: Uuid, name: Type.String(), status: Type.String(),
  deployedVersion: Type.Union([Type.Integer(), Type.Null()]),
  deployedAt: Nullable(DateTime),
  lastExecution: Type.Union([Type.Object({ id: Uuid, status: Type.String(), createdAt: DateTime }), Type.Null()]),
  executionCount: Type.Integer({ description: 'Every execution, all time' }),
  successRate: Type.Union([Type.Number({ minimum: 0, maximum: 1 }), Type.Null()], { description: 'All time, a fraction 0–1' }),
});

export const WorkspaceOverviewSections = {
  account: AccountSchema,
  period: Type.Object({ from: DateTime, to: DateTime }),
  usage: UsageSchema,
  workflows: Type.Array(OverviewWorkflowSchema, { description: 'Up to 50, newest first' }),
  requests: Type.Object({
    total: Type.Integer(), byStatus: CountsByStatus,
    latest: Type.Array(Type.Object({ id: Uuid, title: Type.String(), status: Type.String(), createdAt: DateTime, statusChangedAt: DateTime })),
  }),
  tickets: Type.Object({
    total: Type.Integer(), byStatus: CountsByStatus,
    latest: Type.Array(Type.Object({ id: Uuid, subject: Type.String(), status: Type.String(), priority: Type.String(), createdAt: DateTime, lastActivityAt: DateTime })),
  }),
  recentAudit: Type.Array(AuditEventSchema, { description: 'The latest 20 events of the workspace\'s trail' }),
};
