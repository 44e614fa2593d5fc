// TypeBox schemas of the access routes (validation, serialization and OpenAPI).
import { Type } from '@fastify/type-provider-typebox';
import { PERMISSIONS, ROLES } from './permissions.ts';
import type { Permission, Role } from './permissions.ts';
import { SELF } from './conditions.ts';

export const Uuid = Type.String({ format: 'uuid' });
const DateTime = Type.String({ format: 'date-time' });

export const PermissionName = Type.Unsafe<Permission>({ type: 'string', enum: Object.keys(PERMISSIONS), description: 'A permission of the registry (GET /permissions)' });
export const BuiltInRoleName = Type.Unsafe<Role>({ type: 'string', enum: [...ROLES] });

const ConditionValue = Type.Union([
  Type.String({ minLength: 1, maxLength: 200 }),
  Type.Object({ $in: Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 50 }) }, { additionalProperties: false }),
]);

export const ConditionsSchema = Type.Union([
  Type.Record(Type.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,49}$' }), ConditionValue, { minProperties: 1, maxProperties: 10, additionalProperties: false }),
  Type.Null(),
], { description: `Null: every resource. Otherwise every field must match, e.g. { "createdBy": "${SELF}" } (only their own). Fields per permission: GET /permissions.` });

// Output: as stored (a grant the registry no longer accepts is still shown, and denies).
export const GrantSchema = Type.Object({
  permission: Type.String({ description: 'A permission of the registry (GET /permissions)' }),
  conditions: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
});
export const GrantInput = Type.Object({
  permission: PermissionName,
  conditions: Type.Optional(ConditionsSchema),
}, { additionalProperties: false });

export const RoleName = Type.String({ minLength: 1, maxLength: 60, pattern: '^\\S(.*\\S)?$', description: 'Unique in the workspace (case-insensitive); not a built-in role\'s name' });
export const RoleDescription = Type.String({ maxLength: 500 });

export const CustomRoleSchema = Type.Object({
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  permissions: Type.Array(GrantSchema),
  memberCount: Type.Integer(),
  apiKeyCount: Type.Integer({ description: 'API keys holding this role' }),
  createdAt: DateTime,
  updatedAt: DateTime,
});

export const CustomRoleDetail = Type.Object({
  ...CustomRoleSchema.properties,
  memberIds: Type.Array(Uuid, { description: 'Users holding this role' }),
});

export const BuiltInRoleSchema = Type.Object({
  name: BuiltInRoleName,
  description: Type.String(),
  permissions: Type.Array(PermissionName),
});

export const CreateRoleBody = Type.Object({
  name: RoleName,
  description: Type.Optional(RoleDescription),
  permissions: Type.Array(GrantInput, { maxItems: 200 }),
}, { additionalProperties: false });

export const UpdateRoleBody = Type.Object({
  name: Type.Optional(RoleName),
  description: Type.Optional(RoleDescription),
  permissions: Type.Optional(Type.Array(GrantInput, { maxItems: 200, description: 'Replaces every grant of the role' })),
}, { additionalProperties: false, minProperties: 1 });

const ConditionFieldSchema = Type.Object({
  name: Type.String(),
  kind: Type.Union([Type.Literal('user'), Type.Literal('enum'), Type.Literal('tags')]),
  description: Type.String(),
  values: Type.Optional(Type.Array(Type.String())),
});

export const PermissionInfo = Type.Object({
  name: PermissionName,
  resource: Type.String(),
  action: Type.String(),
  description: Type.String(),
  builtInRoles: Type.Array(BuiltInRoleName, { description: 'Built-in roles that hold it' }),
  conditionFields: Type.Array(ConditionFieldSchema, { description: 'Fields a condition may test (empty: not conditional)' }),
});
