// /roles (custom roles of the workspace) and /permissions (the registry).
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import type { AccessContext } from './access.context.ts';
import { BuiltInRoleSchema, CreateRoleBody, CustomRoleDetail, CustomRoleSchema, PermissionInfo, UpdateRoleBody, Uuid } from './access.schema.ts';
import { createRole } from './create-role.ts';
import { deleteRole } from './delete-role.ts';
import { getRole } from './get-role.ts';
import { listPermissions } from './list-permissions.ts';
import { listRoles } from './list-roles.ts';
import { updateRole } from './update-role.ts';

const tags = ['roles'];
const Params = Type.Object({ id: Uuid });

export function accessRoutes(ctx: AccessContext): RoutePlugin {
  return async (app) => {
    app.get('/permissions', {
      config: { auth: 'authenticated' },
      schema: {
        tags,
        summary: 'The permission registry: every permission, its description, the built-in roles holding it and its condition fields',
        response: { 200: Type.Object({ data: Type.Array(PermissionInfo) }) },
      },
    }, async () => ({ data: listPermissions() }));

    app.get('/roles', {
      config: { permission: 'role.read' },
      schema: {
        tags,
        summary: 'Built-in roles and the workspace\'s custom roles (at most 100, all returned)',
        response: { 200: Type.Object({ builtIn: Type.Array(BuiltInRoleSchema), data: Type.Array(CustomRoleSchema) }) },
      },
    }, async (request) => listRoles(ctx, request.principal!));

    app.post('/roles', {
      config: { permission: 'role.manage' },
      schema: {
        tags,
        summary: 'Create a custom role',
        description: 'Every permission must be one you hold for every resource (403 PERMISSION_NOT_GRANTABLE). Conditions only where GET /permissions lists condition fields (400 CONDITIONS_INVALID).',
        body: CreateRoleBody,
        response: { 201: CustomRoleSchema },
      },
    }, async (request, reply) => reply.code(201).send(await createRole(ctx, request.principal!, request.body, auditContextOf(request))));

    app.get('/roles/:id', {
      config: { permission: 'role.read' },
      schema: { tags, summary: 'One custom role, with the members holding it', params: Params, response: { 200: CustomRoleDetail } },
    }, async (request) => getRole(ctx, request.principal!, request.params.id));

    app.patch('/roles/:id', {
      config: { permission: 'role.manage' },
      schema: {
        tags,
        summary: 'Rename a custom role, change its description, or replace its permissions',
        description: 'You must hold every permission of the role, before and after. Members holding it get the new permissions on their next request.',
        params: Params,
        body: UpdateRoleBody,
        response: { 200: CustomRoleSchema },
      },
    }, async (request) => updateRole(ctx, request.principal!, request.params.id, request.body, auditContextOf(request)));

    app.delete('/roles/:id', {
      config: { permission: 'role.manage' },
      schema: {
        tags,
        summary: 'Delete a custom role; members holding it lose it (and keep their base role)',
        params: Params,
        response: { 204: Type.Null({ description: 'No content' }) },
      },
    }, async (request, reply) => {
      await deleteRole(ctx, request.principal!, request.params.id, auditContextOf(request));
      return reply.code(204).send(null);
    });
  };
}
