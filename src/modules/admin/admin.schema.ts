import { Type } from '@fastify/type-provider-typebox';
import { WorkspaceOverviewSections } from './accounts/account.schema.ts';
import { SlugSchema, WorkspaceKindSchema, WorkspaceNameSchema, WorkspacePlanSchema, WorkspaceStatusSchema } from '../tenancy/index.ts';

const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });
const NullableDateTime = Type.Union([DateTime, Type.Null()]);

export const IdParams = Type.Object({ id: Uuid });

export const AdminWorkspaceSchema = Type.Object({
  id: Uuid,
  slug: Type.String(),
  name: Type.String(),
  plan: WorkspacePlanSchema,
  status: WorkspaceStatusSchema,
  parentId: Type.Union([Uuid, Type.Null()]),
  kind: WorkspaceKindSchema,
  memberCount: Type.Integer(),
  createdAt: DateTime,
  updatedAt: DateTime,
  deletedAt: NullableDateTime,
  suspendedAt: NullableDateTime,
  statusReason: Type.Union([Type.String(), Type.Null()]),
});

export const WorkspaceMemberSchema = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: Type.String(),
  joinedAt: DateTime,
});

export const AdminWorkspaceDetailSchema = Type.Object({
  ...AdminWorkspaceSchema.properties,
  settings: Type.Record(Type.String(), Type.Unknown()),
  members: Type.Array(WorkspaceMemberSchema),
});

export const WorkspaceOverviewSchema = Type.Object({
  ...AdminWorkspaceDetailSchema.properties,
  ...WorkspaceOverviewSections,
});

export const WorkspaceListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'matches name or slug (substring) or the exact id' })),
  status: Type.Optional(WorkspaceStatusSchema),
  plan: Type.Optional(WorkspacePlanSchema),
  sort: Type.Union([Type.Literal('createdAt'), Type.Literal('name'), Type.Literal('slug')], { default: 'createdAt' }),
  order: Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' }),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });

export const CreateWorkspaceBody = Type.Object({
  name: WorkspaceNameSchema,
  slug: Type.Optional(SlugSchema),
  plan: Type.Optional(WorkspacePlanSchema),
  ownerEmail: Type.Optional(Type.String({ format: 'email', maxLength: 254, description: 'an existing user who becomes the owner' })),
}, { additionalProperties: false });

export const SuspendBody = Type.Union([
  Type.Object({ reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const RevokedSessionsSchema = Type.Object({ revokedSessions: Type.Integer() });

export const AdminUserSchema = Type.Object({
  id: Uuid,
  email: Type.String(),
  name: Type.String(),
  isPlatformAdmin: Type.Boolean(),
  createdAt: DateTime,
  workspaceCount: Type.Integer(),
});

export const UserListQuery = Type.Object({
  q: Type.Optional(Type.String({ maxLength: 200, description: 'matches email or name (substring) or the exact id' })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 20 }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0 }),
}, { additionalProperties: false });

export { MailWithDeliverySchema as AdminMailSchema, MailListQuery } from '../mail/index.ts';
