import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';
import { REQUEST_STATUSES } from './pipeline.ts';
import type { RequestStatus } from './pipeline.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableUuid = Type.Union([Uuid, Type.Null()]);

export const FREQUENCIES = ['once', 'hourly', 'daily', 'weekly', 'monthly', 'on_demand'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const RequestStatusSchema = Type.Unsafe<RequestStatus>({ type: 'string', enum: [...REQUEST_STATUSES], description: 'submitted → reviewing → negotiation → contract_signed → development → deployed; or rejected; or withdrawn by the client' });
export const FrequencySchema = Type.Unsafe<Frequency>({ type: 'string', enum: [...FREQUENCIES], description: 'How often the automation would run' });

export const MoneySchema = Type.Object({
  amountMinor: Type.Integer({ minimum: 0, maximum: 1_000_000_000_000, description: 'In the currency\'s minor unit (cents for EUR/USD: 150000 is 1,500.00), as Stripe does' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', description: 'ISO 4217 code, e.g. EUR' }),
}, { additionalProperties: false });

export const EstimateSchema = Type.Object({
  amountMinor: MoneySchema.properties.amountMinor,
  currency: MoneySchema.properties.currency,
  deliveryDate: Type.Union([Type.String({ format: 'date' }), Type.Null()], { description: 'Expected delivery (YYYY-MM-DD)' }),
});

export const TIMELINE_KINDS = ['submitted', 'updated', 'status_changed', 'estimated', 'note', 'withdrawn'] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

const ActorTypeSchema = Type.Union([Type.Literal('user'), Type.Literal('api_key'), Type.Literal('platform_admin'), Type.Literal('system')]);

export const TimelineEntrySchema = Type.Object({
  id: Uuid,
  kind: Type.Unsafe<TimelineKind>({ type: 'string', enum: [...TIMELINE_KINDS] }),
  fromStatus: Type.Union([RequestStatusSchema, Type.Null()]),
  toStatus: Type.Union([RequestStatusSchema, Type.Null()]),
  note: Type.String(),
  isInternal: Type.Boolean({ description: 'Platform admins only; never shown to the workspace' }),
  actorType: ActorTypeSchema,
  actorId: NullableUuid,
  actorName: Type.Union([Type.String(), Type.Null()]),
  details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  createdAt: DateTime,
});

export const RequestSchema = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  title: Type.String(),
  description: Type.String(),
  useCase: Type.String(),
  frequency: FrequencySchema,
  budget: Type.Union([MoneySchema, Type.Null()]),
  status: RequestStatusSchema,
  estimate: Type.Union([EstimateSchema, Type.Null()]),
  createdBy: NullableUuid,
  createdAt: DateTime,
  updatedAt: DateTime,
  statusChangedAt: DateTime,
  closedAt: Type.Union([DateTime, Type.Null()]),
});

export const RequestDetailSchema = Type.Object({
  ...RequestSchema.properties,
  timeline: Type.Array(TimelineEntrySchema),
});

export const AdminRequestSchema = Type.Object({
  ...RequestSchema.properties,
  workspace: Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() }),
  nextStatuses: Type.Array(RequestStatusSchema, { description: 'Where a platform admin may move it now' }),
});

export const AdminRequestDetailSchema = Type.Object({
  ...AdminRequestSchema.properties,
  timeline: Type.Array(TimelineEntrySchema),
});

const Title = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
const Description = Type.String({ maxLength: 10000 });
const UseCase = Type.String({ maxLength: 5000, description: 'What the automation is for, who uses it' });

export const CreateRequestBody = Type.Object({
  title: Title,
  description: Type.Optional(Description),
  useCase: Type.Optional(UseCase),
  frequency: FrequencySchema,
  budget: Type.Optional(Type.Union([MoneySchema, Type.Null()])),
}, { additionalProperties: false });
export type CreateRequestInput = Static<typeof CreateRequestBody>;

export const UpdateRequestBody = Type.Object({
  title: Type.Optional(Title),
  description: Type.Optional(Description),
  useCase: Type.Optional(UseCase),
  frequency: Type.Optional(FrequencySchema),
  budget: Type.Optional(Type.Union([MoneySchema, Type.Null()])),
}, { additionalProperties: false, minProperties: 1 });
export type UpdateRequestInput = Static<typeof UpdateRequestBody>;

export const WithdrawBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const RequestListQuery = Type.Object({
  status: Type.Optional(RequestStatusSchema),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

export const RequestPageSchema = Type.Object({
  data: Type.Array(RequestSchema),
  total: Type.Integer({ description: 'Requests matching the filter' }),
  nextCursor: Type.Union([Type.String(), Type.Null()]),
});

export const AdminRequestListQuery = Type.Object({
  status: Type.Optional(Type.Unsafe<RequestStatus | 'open'>({ type: 'string', enum: [...REQUEST_STATUSES, 'open'], description: '`open`: every non-final status (the board)' })),
  workspaceId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
}, { additionalProperties: false });

export const AdminRequestPageSchema = Type.Object({
  data: Type.Array(AdminRequestSchema),
  total: Type.Integer(),
  limit: Type.Integer(),
  offset: Type.Integer(),
});

export const TransitionBody = Type.Object({
  to: RequestStatusSchema,
  note: Type.Optional(Type.String({ maxLength: 10000, description: 'Shown to the client in the timeline' })),
  expectedStatus: Type.Optional(RequestStatusSchema),
}, { additionalProperties: false });
export type TransitionInput = Static<typeof TransitionBody>;

export const EstimateBody = Type.Object({
  amountMinor: MoneySchema.properties.amountMinor,
  currency: MoneySchema.properties.currency,
  deliveryDate: Type.Optional(Type.Union([Type.String({ format: 'date' }), Type.Null()])),
  note: Type.Optional(Type.String({ maxLength: 10000 })),
}, { additionalProperties: false });
export type EstimateInput = Static<typeof EstimateBody>;

export const NoteBody = Type.Object({
  note: Type.String({ minLength: 1, maxLength: 10000, pattern: '\\S' }),
  isInternal: Type.Boolean({ default: false, description: 'Platform admins only; the client never sees it' }),
}, { additionalProperties: false });
export type NoteInput = Static<typeof NoteBody>;

export const IdParams = Type.Object({ id: Uuid });

export type RequestView = Static<typeof RequestSchema>;
export type RequestDetail = Static<typeof RequestDetailSchema>;
export type TimelineEntry = Static<typeof TimelineEntrySchema>;
export type AdminRequestView = Static<typeof AdminRequestSchema>;
export type AdminRequestDetail = Static<typeof AdminRequestDetailSchema>;
