import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableUuid = Type.Union([Uuid, Type.Null()]);
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];
export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export type AuthorType = 'user' | 'api_key' | 'platform_admin' | 'system';

export const TicketPrioritySchema = Type.Unsafe<TicketPriority>({ type: 'string', enum: [...TICKET_PRIORITIES] });
export const TicketStatusSchema = Type.Unsafe<TicketStatus>({
  type: 'string', enum: [...TICKET_STATUSES],
  description: '`waiting`: waiting on the client; a client reply to a waiting or resolved ticket reopens it; `closed` is final for the client',
});

const PersonSchema = Type.Object({ id: Uuid, name: Type.String() });

export const TicketSchema = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  subject: Type.String(),
  description: Type.String(),
  priority: TicketPrioritySchema,
  status: TicketStatusSchema,
  assignee: Type.Union([PersonSchema, Type.Null()], { description: 'The platform admin handling it' }),
  executionId: Type.Union([Uuid, Type.Null()], { description: 'The workflow execution the ticket is about' }),
  createdBy: NullableUuid,
  createdAt: DateTime,
  updatedAt: DateTime,
  lastActivityAt: DateTime,
  resolvedAt: NullableDateTime,
  closedAt: NullableDateTime,
});

export const CommentSchema = Type.Object({
  id: Uuid,
  ticketId: Uuid,
  authorType: Type.Unsafe<AuthorType>({ type: 'string', enum: ['user', 'api_key', 'platform_admin', 'system'] }),
  authorId: NullableUuid,
  authorName: Type.Union([Type.String(), Type.Null()]),
  body: Type.String(),
  isInternal: Type.Boolean({ description: 'A platform admins\' note; never shown to the workspace' }),
  createdAt: DateTime,
});

export const TicketDetailSchema = Type.Object({ ...TicketSchema.properties, comments: Type.Array(CommentSchema) });

const WorkspaceRefSchema = Type.Object({ id: Uuid, slug: Type.String(), name: Type.String() });
export const AdminTicketSchema = Type.Object({ ...TicketSchema.properties, workspace: WorkspaceRefSchema });
export const AdminTicketDetailSchema = Type.Object({ ...AdminTicketSchema.properties, comments: Type.Array(CommentSchema) });

export const CreateTicketBody = Type.Object({
  subject: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  description: Type.String({ maxLength: 20000, default: '' }),
  priority: Type.Optional(TicketPrioritySchema),
  executionId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'One of the workspace\'s workflow executions' })),
}, { additionalProperties: false });
export type CreateTicketInput = Static<typeof CreateTicketBody>;

export const CommentBody = Type.Object({
  body: Type.String({ minLength: 1, maxLength: 20000, pattern: '\\S' }),
}, { additionalProperties: false });

export const AdminCommentBody = Type.Object({
  body: CommentBody.properties.body,
  isInternal: Type.Boolean({ default: false, description: 'An internal note: platform admins only' }),
}, { additionalProperties: false });
export type AdminCommentInput = Static<typeof AdminCommentBody>;

export const AdminUpdateTicketBody = Type.Object({
  status: Type.Optional(TicketStatusSchema),
  priority: Type.Optional(TicketPrioritySchema),
  assigneeId: Type.Optional(Type.Union([Uuid, Type.Null()], { description: 'A platform admin\'s user id; null unassigns' })),
}, { additionalProperties: false, minProperties: 1 });
export type AdminUpdateTicketInput = Static<typeof AdminUpdateTicketBody>;

export const TicketListQuery = Type.Object({
  status: Type.Optional(TicketStatusSchema),
  priority: Type.Optional(TicketPrioritySchema),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

export const TicketPageSchema = Type.Object({ data: Type.Array(TicketSchema), total: Type.Integer(), nextCursor: Type.Union([Type.String(), Type.Null()]) });

export const AdminTicketListQuery = Type.Object({
  status: Type.Optional(Type.Unsafe<TicketStatus | 'active'>({ type: 'string', enum: [...TICKET_STATUSES, 'active'], description: '`active`: open, in_progress or waiting' })),
  priority: Type.Optional(TicketPrioritySchema),
  assigneeId: Type.Optional(Type.Unsafe<string>({ type: 'string', anyOf: [{ format: 'uuid' }, { const: 'none' }], description: 'A platform admin\'s id, or `none` for unassigned tickets' })),
  workspaceId: Type.Optional(Uuid),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  offset: Type.Integer({ minimum: 0, maximum: 100000, default: 0 }),
}, { additionalProperties: false });

export const AdminTicketPageSchema = Type.Object({ data: Type.Array(AdminTicketSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() });

export const AssigneeSchema = Type.Object({ id: Uuid, name: Type.String(), email: Type.String() });

export const IdParams = Type.Object({ id: Uuid });

export type TicketView = Static<typeof TicketSchema>;
export type TicketDetail = Static<typeof TicketDetailSchema>;
export type CommentView = Static<typeof CommentSchema>;
export type AdminTicketView = Static<typeof AdminTicketSchema>;
export type AdminTicketDetail = Static<typeof AdminTicketDetailSchema>;
export type Assignee = Static<typeof AssigneeSchema>;
