// TypeBox schemas of the audit routes (validation, serialization and OpenAPI).
import { Type } from '@fastify/type-provider-typebox';

const Uuid = Type.String({ format: 'uuid' });
const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()]);

export const ActorTypeSchema = Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('system'), Type.Literal('platform_admin')]);
export const OutcomeSchema = Type.Union([Type.Literal('success'), Type.Literal('failure'), Type.Literal('denied')]);

const DiffSide = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]);

export const AuditEventSchema = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  seq: Type.Union([Type.Integer(), Type.Null()], { description: 'Position in the workspace\'s hash chain (1, 2, …); null for the few seconds before the event is sealed into it' }),
  occurredAt: Type.String({ format: 'date-time' }),
  actorType: ActorTypeSchema,
  actorId: Nullable(Uuid),
  realActorId: Nullable(Type.String({ format: 'uuid', description: 'The real actor when impersonating' })),
  action: Type.String({ description: '`resource.verb_past`, e.g. `member.role_changed`' }),
  targetType: Type.String(),
  targetId: Nullable(Type.String()),
  diff: Type.Union([Type.Object({ before: Type.Optional(DiffSide), after: Type.Optional(DiffSide) }), Type.Null()], {
    description: 'Before/after of what changed; secret fields read "[redacted]"',
  }),
  ip: Nullable(Type.String()),
  userAgent: Nullable(Type.String()),
  requestId: Nullable(Type.String()),
  traceId: Nullable(Type.String()),
  outcome: OutcomeSchema,
  prevHash: Type.Union([Type.String(), Type.Null()], { description: 'Hash of the previous event of the chain (hex SHA-256); null until sealed' }),
  hash: Type.Union([Type.String(), Type.Null()], { description: 'sha256(prevHash + canonical form of this event), hex; null until sealed' }),
});

export const AuditFilterQuery = {
  actorType: Type.Optional(ActorTypeSchema),
  actorId: Type.Optional(Uuid),
  action: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '^[a-z][a-z0-9_.]*\\*?$', description: 'Exact action, or a prefix ending in * (`member.*`)' })),
  targetType: Type.Optional(Type.String({ minLength: 1, maxLength: 50, pattern: '^[a-z][a-z0-9_]*$' })),
  targetId: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  from: Type.Optional(Type.String({ format: 'date-time', description: 'Inclusive' })),
  to: Type.Optional(Type.String({ format: 'date-time', description: 'Exclusive' })),
  outcome: Type.Optional(OutcomeSchema),
  sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { description: 'By time; default desc (export: asc)' })),
};

export const EventListQuery = Type.Object({
  ...AuditFilterQuery,
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

export const PlatformEventListQuery = Type.Object({
  ...EventListQuery.properties,
  workspaceId: Type.Optional(Uuid),
}, { additionalProperties: false });

export const ExportQuery = Type.Object({
  ...AuditFilterQuery,
  format: Type.Union([Type.Literal('csv'), Type.Literal('json')], { default: 'csv' }),
}, { additionalProperties: false });

export const EventPageSchema = Type.Object({ data: Type.Array(AuditEventSchema), nextCursor: Nullable(Type.String()) });

export const VerificationSchema = Type.Object({
  isValid: Type.Boolean(),
  checked: Type.Integer({ description: 'Events checked, from the retention anchor to the newest' }),
  anchorSeq: Type.Integer({ description: 'Seq of the last event removed by retention (0: none)' }),
  headSeq: Type.Integer({ description: 'Seq of the newest sealed event' }),
  pending: Type.Integer({ description: 'Events written in the last seconds, not sealed into the chain yet' }),
  firstBrokenSeq: Type.Optional(Type.Integer()),
  firstBrokenId: Type.Optional(Uuid),
  reason: Type.Optional(Type.Union([
    Type.Literal('hash_mismatch'), Type.Literal('prev_hash_mismatch'), Type.Literal('seq_gap'), Type.Literal('event_missing'), Type.Literal('unsealed_event'),
  ])),
});
