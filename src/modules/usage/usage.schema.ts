import { Type } from '@fastify/type-provider-typebox';
import { GROUPS, SPLITS } from './summarize-usage.ts';

const Uuid = Type.String({ format: 'uuid' });
const Timestamp = Type.String({ format: 'date-time' });
const Count = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER });
const Micros = Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'USD micro-units (1 = $0.000001)' });
const NullableCount = Type.Union([Count, Type.Null()]);
const NullableMicros = Type.Union([Micros, Type.Null()]);
export const Scope = Type.Union([Type.Literal('workspace'), Type.Literal('agent'), Type.Literal('api_key')]);

const LimitsSchema = Type.Object({ tokens: NullableCount, costMicros: NullableMicros }, { description: 'null: no limit on that measure' });

export const QuotasSchema = Type.Object({
  period: Type.String({ format: 'date', description: 'First day of the month (UTC) the counters are for' }),
  resetsAt: Timestamp,
  currency: Type.Literal('USD'),
  plan: Type.String(),
  planLimits: LimitsSchema,
  quotas: Type.Array(Type.Object({
    scope: Scope, subjectId: Uuid, source: Type.Union([Type.Literal('plan'), Type.Literal('custom')]),
    monthlyTokens: NullableCount, monthlyCostMicros: NullableMicros,
    extra: Type.Union([Type.Object({ tokens: NullableCount, costMicros: NullableMicros, expiresAt: Timestamp }), Type.Null()]),
    effective: LimitsSchema,
    spentTokens: Count, spentCostMicros: Micros, reservedTokens: Count, reservedCostMicros: Micros,
    updatedAt: Type.Union([Timestamp, Type.Null()]),
  })),
});

export const SetQuotaBody = Type.Object({
  scope: Scope,
  subjectId: Type.Optional(Uuid),
  monthlyTokens: NullableCount,
  monthlyCostMicros: NullableMicros,
  extra: Type.Optional(Type.Union([Type.Object({ tokens: Type.Optional(NullableCount), costMicros: Type.Optional(NullableMicros), expiresAt: Timestamp }, { additionalProperties: false }), Type.Null()])),
}, { additionalProperties: false });

export const UsageEventSchema = Type.Object({
  id: Uuid, occurredAt: Timestamp, requestId: Type.Union([Type.String(), Type.Null()]), userId: Type.Union([Uuid, Type.Null()]), apiKeyId: Type.Union([Uuid, Type.Null()]),
  agentId: Type.Union([Uuid, Type.Null()]), providerId: Type.Union([Uuid, Type.Null()]), providerName: Type.Union([Type.String(), Type.Null()]),
  operation: Type.String(), apiFormat: Type.String(), model: Type.String(), resolvedModel: Type.Union([Type.String(), Type.Null()]),
  inputTokens: Count, outputTokens: Count, cachedInputTokens: Count, cacheWriteTokens: Count, reasoningTokens: Count,
  costMicros: Type.Union([Micros, Type.Null()], { description: 'null when the call was unpriced (no price applied): unknown, not zero' }),
  currency: Type.String(), pricing: Type.Union([Type.Literal('priced'), Type.Literal('unpriced')]),
  usageSource: Type.String({ description: 'provider | estimated (counted with the tokenizer) | none' }), status: Type.String(), errorCode: Type.Union([Type.String(), Type.Null()]),
  httpStatus: Type.Union([Type.Integer(), Type.Null()]), isStreamed: Type.Boolean(),
  providerLatencyMs: Type.Union([Type.Integer(), Type.Null()]), overheadMs: Type.Union([Type.Integer(), Type.Null()]), attempts: Type.Integer(),
});

const WindowQuery = {
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive; default 30 days before `to`' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive; default now' })),
};

export const UsageEventQuery = Type.Object({
  ...WindowQuery,
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50 })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  model: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  status: Type.Optional(Type.Union(['ok', 'error', 'client_closed', 'refused'].map((s) => Type.Literal(s)))),
  apiKeyId: Type.Optional(Uuid),
  agentId: Type.Optional(Uuid),
  requestId: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'The x-request-id of the call (the playground shows its cost this way)' })),
});

const Totals = {
  calls: Count, inputTokens: Count, outputTokens: Count, costMicros: Micros, unpricedCalls: Count, estimatedCalls: Count, errorCalls: Count,
  p50LatencyMs: Type.Union([Type.Integer(), Type.Null()]), p95LatencyMs: Type.Union([Type.Integer(), Type.Null()]),
};

export const UsageSummaryQuery = Type.Object({
  ...WindowQuery,
  groupBy: Type.Optional(Type.Union(GROUPS.map((g) => Type.Literal(g)), { default: 'day' })),
  split: Type.Optional(Type.Union(SPLITS.map((g) => Type.Literal(g)), { description: 'A second dimension: each group is split by it (e.g. groupBy=day&split=agent for tokens per agent per day)' })),
});
export const UsageSummarySchema = Type.Object({
  from: Timestamp, to: Timestamp, groupBy: Type.String(), split: Type.Union([Type.String(), Type.Null()]), currency: Type.Literal('USD'),
  totals: Type.Object(Totals, { description: 'costMicros sums priced calls only; unpricedCalls says how many have no cost' }),
  groups: Type.Array(Type.Object({ key: Type.String(), split: Type.Optional(Type.String()), ...Totals }), { description: 'Time groups in order; dimension groups by cost, then calls (at most 5,000)' }),
  labels: Type.Record(Type.String(), Type.String(), { description: 'Names of the API keys and workspaces among the keys and splits, by id' }),
});

export const UsageAlertSchema = Type.Object({
  id: Uuid, scope: Scope, subjectId: Uuid, period: Type.String({ format: 'date' }),
  kind: Type.Union([Type.Literal('threshold_80'), Type.Literal('threshold_100'), Type.Literal('burn_rate')]),
  metric: Type.Union([Type.Literal('tokens'), Type.Literal('cost')]),
  details: Type.Record(Type.String(), Type.Unknown()), createdAt: Timestamp,
});
