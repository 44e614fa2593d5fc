// /members: the people of the current workspace and their roles.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import type { IdentityContext } from '../identity.context.ts';
import { DateTime, NoContent, Page, RoleSchema, Uuid } from '../identity.schema.ts';
import { listMembers } from './list-members.ts';
import { removeMember } from './remove-member.ts';
import { changeMemberRole } from './update-member-role.ts';
import { assignMemberRoles } from './assign-member-roles.ts';

const tags = ['members'];

const Member = Type.Object({
  userId: Uuid,
  email: Type.String(),
  name: Type.String(),
  role: RoleSchema,
  joinedAt: DateTime,
  mfaEnabled: Type.Boolean(),
});

const MemberWithRoles = Type.Object({
  ...Member.properties,
  roleIds: Type.Array(Uuid, { description: 'Custom roles held on top of the base role (GET /roles)' }),
});

export function memberRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.get('/members', {
      config: { permission: 'member.read' },
      schema: {
        tags,
        summary: 'Members of the workspace, in the order they joined',
        querystring: Page,
        response: { 200: Type.Object({ data: Type.Array(MemberWithRoles), nextCursor: Type.Union([Uuid, Type.Null()]) }) },
      },
    }, async (request) => listMembers(ctx, request.principal!, request.query));

    app.patch('/members/:userId', {
      config: { permission: 'member.update' },
      schema: {
        tags,
        summary: 'Change a member\'s role',
        description: 'Not above your own role, not for someone above you (403 ROLE_NOT_ALLOWED); the last owner can\'t be demoted (409 LAST_OWNER).',
        params: Type.Object({ userId: Uuid }),
        body: Type.Object({ role: RoleSchema }, { additionalProperties: false }),
        response: { 200: Member },
      },
    }, async (request) => changeMemberRole(ctx, request.principal!, request.params.userId, request.body.role, auditContextOf(request)));

    app.put('/members/:userId/roles', {
      config: { permission: 'member.update' },
      schema: {
        tags,
        summary: 'Set a member\'s custom roles (replaces them; the base role is unchanged)',
        description: 'Not for someone whose role is above yours (403 ROLE_NOT_ALLOWED); each role added or removed must hold only permissions you hold for every resource (403 PERMISSION_NOT_GRANTABLE); a role that is not this workspace\'s answers 404 ROLE_NOT_FOUND.',
        params: Type.Object({ userId: Uuid }),
        body: Type.Object({ roleIds: Type.Array(Uuid, { maxItems: 100, uniqueItems: true }) }, { additionalProperties: false }),
        response: { 200: MemberWithRoles },
      },
    }, async (request) => assignMemberRoles(ctx, request.principal!, request.params.userId, request.body.roleIds, auditContextOf(request)));

    app.delete('/members/:userId', {
      // Anyone may leave (remove themselves); removing someone else needs member.remove,
      // checked in the use-case.
      config: { auth: 'authenticated' },
      schema: {
        tags,
        summary: 'Remove a member, or leave the workspace (your own user id)',
        description: 'Removing someone else needs member.remove and a role at least theirs. The last owner can\'t be removed (409 LAST_OWNER). The member\'s sessions in this workspace are revoked.',
        params: Type.Object({ userId: Uuid }),
        response: { 204: NoContent },
      },
    }, async (request, reply) => {
      await removeMember(ctx, request.principal!, request.params.userId, auditContextOf(request));
      return reply.code(204).send(null);
    });
  };
}
