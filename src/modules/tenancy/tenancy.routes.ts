// HTTP for the caller's workspaces. The workspace is always the principal's, never an input.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import type { TenancyContext } from './tenancy.context.ts';
import { MyWorkspaceSchema, SettingDescriptionSchema, SlugSchema, WorkspaceDetailSchema, WorkspaceNameSchema, WorkspaceSchema } from './tenancy.schema.ts';
import { listMyWorkspaces } from './list-my-workspaces.ts';
import { getCurrentWorkspace } from './get-workspace.ts';
import { updateCurrentWorkspace } from './update-workspace.ts';
import { createChildWorkspace } from './create-child-workspace.ts';
import { deleteCurrentWorkspace } from './delete-workspace.ts';

export function tenancyRoutes(deps: TenancyContext): RoutePlugin {
  return async (app) => {
    app.get('/workspaces', {
      config: { auth: 'session' },
      schema: {
        tags: ['workspaces'],
        summary: 'The workspaces you are a member of, with your role in each',
        response: { 200: Type.Array(MyWorkspaceSchema) },
      },
    }, async (request) => {
      const p = request.principal!;
      return listMyWorkspaces(deps, { userId: p.userId!, workspaceId: p.workspaceId });
    });

    app.get('/workspaces/current', {
      config: { permission: 'workspace.read' },
      schema: {
        tags: ['workspaces'],
        summary: 'The current workspace and its settings',
        response: { 200: WorkspaceDetailSchema },
      },
    }, async (request) => getCurrentWorkspace(deps, request.principal!.workspaceId));

    app.get('/workspaces/current/settings', {
      config: { permission: 'workspace.read' },
      schema: {
        tags: ['workspaces'],
        summary: 'Every setting a workspace can change: what it does, its JSON Schema, its default and the current value (change them with PATCH /workspaces/current)',
        response: { 200: Type.Object({ data: Type.Array(SettingDescriptionSchema) }) },
      },
    }, async (request) => {
      const current = await getCurrentWorkspace(deps, request.principal!.workspaceId);
      const data = deps.settings.list().map((d) => ({
        key: d.key, description: d.description, schema: JSON.parse(JSON.stringify(d.schema)) as Record<string, unknown>, default: d.default,
        value: current.settings[d.key] ?? d.default, isDefault: JSON.stringify(current.settings[d.key] ?? d.default) === JSON.stringify(d.default),
      })).sort((x, y) => x.key.localeCompare(y.key));
      return { data };
    });

    app.patch('/workspaces/current', {
      config: { permission: 'workspace.update' },
      schema: {
        tags: ['workspaces'],
        summary: 'Rename the current workspace and/or change settings (null resets a setting to its default)',
        body: Type.Object({
          name: Type.Optional(WorkspaceNameSchema),
          settings: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { maxProperties: 100, description: 'key → JSON value; null resets the key to its default' })),
        }, { additionalProperties: false, minProperties: 1 }),
        response: { 200: WorkspaceDetailSchema },
      },
    }, async (request) => updateCurrentWorkspace(deps, request.principal!.workspaceId, request.body, auditContextOf(request)));

    app.post('/workspaces', {
      config: { auth: 'session', permission: 'workspace.create_child' },
      schema: {
        tags: ['workspaces'],
        summary: 'Create a project or team under the current workspace; you become its owner',
        body: Type.Object({
          name: WorkspaceNameSchema,
          slug: Type.Optional(SlugSchema),
          kind: Type.Union([Type.Literal('project'), Type.Literal('team')]),
        }, { additionalProperties: false }),
        response: { 201: WorkspaceSchema },
      },
    }, async (request, reply) => {
      const p = request.principal!;
      const child = await createChildWorkspace(deps, { userId: p.userId!, workspaceId: p.workspaceId }, request.body, auditContextOf(request));
      return reply.code(201).send(child);
    });

    app.delete('/workspaces/current', {
      config: { auth: 'session', permission: 'workspace.delete' },
      schema: {
        tags: ['workspaces'],
        summary: 'Soft-delete the current workspace (data kept, every session ended; a platform admin can restore it)',
        response: { 204: Type.Null() },
      },
    }, async (request, reply) => {
      await deleteCurrentWorkspace(deps, request.principal!.workspaceId, auditContextOf(request));
      return reply.code(204).send(null);
    });
  };
}
