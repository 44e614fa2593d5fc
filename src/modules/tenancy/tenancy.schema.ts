// HTTP shapes of workspaces, shared with onboarding and admin through the module's index.
import { Type } from '@fastify/type-provider-typebox';
import { SLUG_PATTERN } from './slug.ts';

export const WorkspaceStatusSchema = Type.Union([Type.Literal('active'), Type.Literal('suspended'), Type.Literal('deleted')]);
export const WorkspacePlanSchema = Type.Union([Type.Literal('free'), Type.Literal('pro'), Type.Literal('enterprise')]);
export const WorkspaceKindSchema = Type.Union([Type.Literal('organization'), Type.Literal('project'), Type.Literal('team')]);

export const SlugSchema = Type.String({ pattern: SLUG_PATTERN, minLength: 1, maxLength: 63, description: 'lowercase letters, digits and inner hyphens' });
export const WorkspaceNameSchema = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });

export const WorkspaceSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  plan: WorkspacePlanSchema,
  status: WorkspaceStatusSchema,
  parentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  kind: WorkspaceKindSchema,
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export const WorkspaceSettingsSchema = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Registered settings (key → JSON value); unset keys show their default',
});

export const SettingDescriptionSchema = Type.Object({
  key: Type.String(),
  description: Type.String(),
  schema: Type.Record(Type.String(), Type.Unknown(), { description: 'The JSON Schema a value must match' }),
  default: Type.Unknown(),
  value: Type.Unknown({ description: 'The value in effect (the default when unset)' }),
  isDefault: Type.Boolean(),
});

export const WorkspaceDetailSchema = Type.Object({ ...WorkspaceSchema.properties, settings: WorkspaceSettingsSchema });

export const MyWorkspaceSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  slug: Type.String(),
  name: Type.String(),
  status: WorkspaceStatusSchema,
  parentId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  role: Type.String(),
  isCurrent: Type.Boolean(),
});
