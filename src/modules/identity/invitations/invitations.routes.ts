// /invitations: invite by email (the mail goes to the outbox), list and revoke pending ones;
// the public lookup and acceptance used by the invitation link.
import { ProblemSchema } from '../../../kernel/http/openapi.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { acceptInvitation } from './accept-invitation.ts';
import { clientInfo } from '../client-info.ts';
import { createInvitation } from './create-invitation.ts';
import type { IdentityContext } from '../identity.context.ts';
import { DateTime, Email, GrantableRole, NoContent, Page, SecondFactorCode, SessionTokensSchema, Uuid } from '../identity.schema.ts';
import { listInvitations } from './list-invitations.ts';
import { lookupInvitation } from './lookup-invitation.ts';
import { revokeInvitation } from './revoke-invitation.ts';

const tags = ['invitations'];

const Invitation = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: GrantableRole,
  createdAt: DateTime,
  expiresAt: DateTime,
  invitedBy: Type.Union([Uuid, Type.Null()]),
});

const PasswordOrNew = Type.String({ minLength: 1, maxLength: 1000, description: 'The existing account\'s password, or the new account\'s (10+ characters)' });
const InvitationToken = Type.String({ minLength: 10, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' });

export function invitationRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.post('/invitations', {
      config: { permission: 'member.invite' },
      schema: {
        tags,
        summary: 'Invite someone by email; the mail with the accept link goes to the outbox',
        description: 'The role can\'t be above yours (403 ROLE_NOT_ALLOWED). 409 ALREADY_MEMBER or INVITATION_PENDING. The link expires in 7 days.',
        body: Type.Object({ email: Email, role: GrantableRole }, { additionalProperties: false }),
        response: { 201: Invitation },
      },
    }, async (request, reply) => {
      const invitation = await createInvitation(ctx, request.principal!, request.body, auditContextOf(request));
      return reply.code(201).send(invitation);
    });

    app.get('/invitations', {
      config: { permission: 'member.read' },
      schema: {
        tags,
        summary: 'Pending invitations of the workspace, newest first',
        querystring: Page,
        response: { 200: Type.Object({ data: Type.Array(Invitation), nextCursor: Type.Union([Uuid, Type.Null()]) }) },
      },
    }, async (request) => listInvitations(ctx, request.principal!, request.query));

    app.delete('/invitations/:id', {
      config: { permission: 'member.invite' },
      schema: { tags, summary: 'Revoke a pending invitation', params: Type.Object({ id: Uuid }), response: { 204: NoContent } },
    }, async (request, reply) => {
      await revokeInvitation(ctx, request.principal!, request.params.id, auditContextOf(request));
      return reply.code(204).send(null);
    });

    app.get('/invitations/lookup', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'What an invitation link is for (404 unknown, 409 accepted, 410 expired or revoked)',
        security: [],
        querystring: Type.Object({ token: InvitationToken }),
        response: {
          200: Type.Object({
            workspaceName: Type.String(),
            email: Type.String(),
            role: GrantableRole,
            hasAccount: Type.Boolean({ description: 'true: accept with the existing account\'s password' }),
            expiresAt: DateTime,
          }),
          404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema,
        },
      },
    }, async (request) => lookupInvitation(ctx, request.query.token));

    app.post('/invitations/accept', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Accept an invitation: creates the account or links the existing one, and logs in there',
        description: 'An existing account gives its password (401 INVALID_CREDENTIALS otherwise) and, with TOTP enabled, `code` (401 MFA_REQUIRED without it).',
        security: [],
        body: Type.Object({
          token: InvitationToken,
          password: PasswordOrNew,
          name: Type.Optional(Type.String({ maxLength: 200 })),
          code: Type.Optional(SecondFactorCode),
        }, { additionalProperties: false }),
        response: { 200: SessionTokensSchema, 404: ProblemSchema, 409: ProblemSchema, 410: ProblemSchema },
      },
    }, async (request) => acceptInvitation(ctx, request.body, clientInfo(request), auditContextOf(request)));
  };
}
