import { Type } from '@fastify/type-provider-typebox';
import type { Static, TSchema } from '@fastify/type-provider-typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(t: T, options: { description?: string } = {}) => Type.Union([t, Type.Null()], options);

export const IdParams = Type.Object({ id: Uuid });
export const EndpointDeliveryParams = Type.Object({ id: Uuid, deliveryId: Uuid });
export const HookParams = Type.Object({ endpointId: Uuid });

export const PageQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

const SecretOnce = Type.String({ description: 'The signing secret (`whsec_…`): shown once, on creation or rotation; store it now' });

// ---- inbound endpoints ----------------------------------------------------------------------

export const EndpointSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  workflowId: Nullable(Uuid),
  agentId: Nullable(Uuid, { description: 'Set when the endpoint is an agent\'s webhook (managed from the agent; its target never changes)' }),
  isOrdered: Type.Boolean({ description: 'Deliveries start their executions one at a time, in arrival order' }),
  isEnabled: Type.Boolean(),
  url: Type.String({ description: 'Where the sender POSTs (Standard Webhooks signed)' }),
  hasPreviousSecret: Type.Boolean({ description: 'A rotated-out secret still verifies until previousSecretExpiresAt' }),
  previousSecretExpiresAt: Nullable(DateTime),
  secretRotatedAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type EndpointView = Static<typeof EndpointSchema>;

export const EndpointWithSecretSchema = Type.Intersect([EndpointSchema, Type.Object({ secret: SecretOnce })]);

export const CreateEndpointBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 100 }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  workflowId: Type.Optional(Nullable(Uuid)),
  isOrdered: Type.Optional(Type.Boolean({ default: false })),
  isEnabled: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });

export const UpdateEndpointBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  workflowId: Type.Optional(Nullable(Uuid)),
  isOrdered: Type.Optional(Type.Boolean()),
  isEnabled: Type.Optional(Type.Boolean()),
}, { additionalProperties: false, minProperties: 1 });

export const RotateSecretBody = Type.Object({
  previousSecretValidForSeconds: Type.Integer({
    minimum: 0, maximum: 7 * 86_400, default: 86_400,
    description: 'How long the old secret keeps verifying (inbound) or is still sent as a second signature (outbound); 0 = revoke it now',
  }),
}, { additionalProperties: false });

export const RotatedSecretSchema = Type.Object({
  secret: SecretOnce,
  previousSecretExpiresAt: Nullable(DateTime),
});

export const InboundDeliverySchema = Type.Object({
  id: Uuid,
  endpointId: Uuid,
  webhookId: Type.String({ description: 'The sender\'s webhook-id (idempotency key)' }),
  webhookTimestamp: DateTime,
  receivedAt: DateTime,
  outcome: Type.Union([Type.Literal('accepted'), Type.Literal('failed')]),
  responseStatus: Type.Integer(),
  executionId: Nullable(Uuid),
  error: Nullable(Type.String()),
  contentType: Nullable(Type.String()),
  bodyBytes: Type.Integer(),
  replayCount: Type.Integer(),
});
export type InboundDeliveryView = Static<typeof InboundDeliverySchema>;

export const InboundReplaySchema = Type.Object({
  replayId: Uuid,
  outcome: Type.Union([Type.Literal('accepted'), Type.Literal('failed')]),
  executionId: Nullable(Uuid),
  error: Nullable(Type.String()),
  createdAt: DateTime,
});

export const InboundDeliveryDetailSchema = Type.Intersect([InboundDeliverySchema, Type.Object({
  headers: Type.Record(Type.String(), Type.String(), { description: 'Request headers, without the signature and credentials' }),
  body: Type.String(),
  responseBody: Type.Unknown({ description: 'The answer given (and given again to duplicates)' }),
  replays: Type.Array(InboundReplaySchema),
})]);
export type InboundDeliveryDetail = Static<typeof InboundDeliveryDetailSchema>;

export const InboundDeliveryListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
  outcome: Type.Optional(Type.Union([Type.Literal('accepted'), Type.Literal('failed')])),
}, { additionalProperties: false });

export const ReplayBody = Type.Object({
  since: DateTime,
  until: Type.Optional(DateTime),
  replayId: Type.Optional(Type.String({ format: 'uuid', description: 'Resume a replay: deliveries it already re-ran are skipped' })),
}, { additionalProperties: false });

export const ReplaySummarySchema = Type.Object({
  replayId: Uuid,
  total: Type.Integer({ description: 'Deliveries received in the window' }),
  replayed: Type.Integer(),
  skipped: Type.Integer({ description: 'Already re-run by this replay' }),
  failed: Type.Integer(),
  remaining: Type.Integer({ description: 'Left for a next call with the same replayId (at most 1,000 per call)' }),
});

export const HookAcceptedSchema = Type.Object({
  deliveryId: Uuid,
  executionId: Nullable(Uuid),
  runId: Type.Optional(Nullable(Uuid, { description: 'The agent run a delivery to an agent\'s webhook started' })),
  status: Type.Literal('accepted'),
});

// ---- outbound subscriptions -----------------------------------------------------------------

const EventTypeName = Type.String({ pattern: '^[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+$', maxLength: 100 });
const TargetUrl = Type.String({ minLength: 8, maxLength: 2000, pattern: '^https?://', description: 'http(s) URL; private and loopback addresses are refused unless the workspace setting network.allow_private_addresses is on' });

export const SubscriptionSchema = Type.Object({
  id: Uuid,
  url: Type.String(),
  eventTypes: Type.Array(Type.String()),
  description: Type.String(),
  isEnabled: Type.Boolean(),
  consecutiveFailures: Type.Integer(),
  disabledAt: Nullable(DateTime),
  disabledReason: Nullable(Type.String()),
  hasPreviousSecret: Type.Boolean(),
  previousSecretExpiresAt: Nullable(DateTime),
  secretRotatedAt: Nullable(DateTime),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
});
export type SubscriptionView = Static<typeof SubscriptionSchema>;

export const SubscriptionWithSecretSchema = Type.Intersect([SubscriptionSchema, Type.Object({ secret: SecretOnce })]);

export const CreateSubscriptionBody = Type.Object({
  url: TargetUrl,
  eventTypes: Type.Array(EventTypeName, { minItems: 1, maxItems: 100, uniqueItems: true }),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  isEnabled: Type.Optional(Type.Boolean({ default: true })),
}, { additionalProperties: false });

export const UpdateSubscriptionBody = Type.Object({
  url: Type.Optional(TargetUrl),
  eventTypes: Type.Optional(Type.Array(EventTypeName, { minItems: 1, maxItems: 100, uniqueItems: true })),
  description: Type.Optional(Type.String({ maxLength: 500 })),
  isEnabled: Type.Optional(Type.Boolean({ description: 'Re-enabling resets the failure count' })),
}, { additionalProperties: false, minProperties: 1 });

const DeliveryStatus = Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed')]);

export const OutboundDeliverySchema = Type.Object({
  id: Uuid,
  subscriptionId: Uuid,
  eventId: Uuid,
  eventType: Type.String(),
  kind: Type.Union([Type.Literal('event'), Type.Literal('test')]),
  status: DeliveryStatus,
  attemptCount: Type.Integer(),
  lastStatusCode: Nullable(Type.Integer()),
  lastError: Nullable(Type.String()),
  createdAt: DateTime,
  updatedAt: DateTime,
  deliveredAt: Nullable(DateTime),
});
export type OutboundDeliveryView = Static<typeof OutboundDeliverySchema>;

export const AttemptSchema = Type.Object({
  id: Uuid,
  attempt: Type.Integer(),
  trigger: Type.Union([Type.Literal('automatic'), Type.Literal('manual')]),
  startedAt: DateTime,
  durationMs: Type.Integer(),
  statusCode: Nullable(Type.Integer()),
  isSuccess: Type.Boolean(),
  responseExcerpt: Nullable(Type.String({ description: 'First 4 KB of the response body' })),
  error: Nullable(Type.String()),
});
export type AttemptView = Static<typeof AttemptSchema>;

export const OutboundDeliveryDetailSchema = Type.Intersect([OutboundDeliverySchema, Type.Object({
  body: Type.String({ description: 'The exact JSON body sent ({type, timestamp, data})' }),
  attempts: Type.Array(AttemptSchema),
})]);
export type OutboundDeliveryDetail = Static<typeof OutboundDeliveryDetailSchema>;

export const OutboundDeliveryListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
  status: Type.Optional(DeliveryStatus),
}, { additionalProperties: false });

export const EventTypeSchema = Type.Object({ type: Type.String(), description: Type.String() });

export function page<T extends TSchema>(item: T) {
  return Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
}
