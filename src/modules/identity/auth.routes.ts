// /auth: login (with the TOTP step), refresh, logout, me, switch, own sessions, password.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { PERMISSIONS } from '../access/index.ts';
import type { Permission } from '../access/index.ts';
import { changePassword } from './change-password.ts';
import { clientInfo } from './client-info.ts';
import { completeMfaLogin } from './mfa/complete-mfa-login.ts';
import { getMe } from './get-me.ts';
import { requireUser } from './identity.context.ts';
import type { IdentityContext } from './identity.context.ts';
import { DateTime, NoContent, NullableDateTime, PasswordInput, RoleSchema, SecondFactorCode, SessionTokensSchema, TokenPairSchema, Uuid } from './identity.schema.ts';
import { listSessions } from './list-sessions.ts';
import { login } from './login.ts';
import { refreshSession } from './refresh-session.ts';
import { revokeOwnSession } from './revoke-session.ts';
import { switchWorkspace } from './switch-workspace.ts';

const tags = ['auth'];

const LoginResponse = Type.Union([
  Type.Object({ mfaRequired: Type.Literal(false), ...SessionTokensSchema.properties }),
  Type.Object({
    mfaRequired: Type.Literal(true),
    challengeToken: Type.String({ description: 'Send it with the code to POST /auth/login/mfa' }),
    expiresIn: Type.Integer({ description: 'Seconds left to answer the challenge' }),
  }),
]);

const PermissionSchema = Type.Unsafe<Permission>({ type: 'string', enum: Object.keys(PERMISSIONS) });

const MeResponse = Type.Object({
  user: Type.Union([
    Type.Object({ id: Uuid, email: Type.String(), name: Type.String(), isPlatformAdmin: Type.Boolean(), mfaEnabled: Type.Boolean() }),
    Type.Null(),
  ], { description: 'null when the caller is an API key' }),
  workspace: Type.Object({
    id: Uuid, slug: Type.String(), name: Type.String(), plan: Type.String(), status: Type.String(),
    parentId: Type.Union([Uuid, Type.Null()]), kind: Type.String(),
  }),
  role: RoleSchema,
  permissions: Type.Array(PermissionSchema),
  memberships: Type.Array(Type.Object({
    workspaceId: Uuid, slug: Type.String(), name: Type.String(), role: RoleSchema, parentId: Type.Union([Uuid, Type.Null()]),
  })),
  sessionId: Type.Union([Uuid, Type.Null()]),
  principalType: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
});

const SessionItem = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  createdAt: DateTime,
  lastUsedAt: DateTime,
  expiresAt: DateTime,
  ip: Type.Union([Type.String(), Type.Null()]),
  userAgent: Type.Union([Type.String(), Type.Null()]),
  current: Type.Boolean(),
  revokedAt: NullableDateTime,
});

export function authRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.post('/auth/login', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Log in with email and password',
        description: 'With TOTP enabled, answers `mfaRequired: true` and a challenge for POST /auth/login/mfa. '
          + 'After 5 failures for one email from one address in 15 minutes: 429 LOGIN_THROTTLED with Retry-After.',
        security: [],
        body: Type.Object({
          email: Type.String({ minLength: 1, maxLength: 320 }),
          password: PasswordInput,
          workspace: Type.Optional(Type.String({ minLength: 1, maxLength: 100, description: 'Workspace id or slug; defaults to your first workspace' })),
        }, { additionalProperties: false }),
        response: { 200: LoginResponse },
      },
    }, async (request) => login(ctx, request.body, clientInfo(request), auditContextOf(request)));

    app.post('/auth/login/mfa', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Complete a login with a TOTP code or a recovery code',
        security: [],
        body: Type.Object({ challengeToken: Type.String({ minLength: 10, maxLength: 200 }), code: SecondFactorCode }, { additionalProperties: false }),
        response: { 200: SessionTokensSchema },
      },
    }, async (request) => completeMfaLogin(ctx, request.body, clientInfo(request), auditContextOf(request)));

    app.post('/auth/refresh', {
      config: { auth: 'public' },
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new token pair (rotation)',
        description: 'Each refresh token works once. Presenting a used one revokes the whole session.',
        security: [],
        body: Type.Object({ refreshToken: Type.String({ minLength: 10, maxLength: 200 }) }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    }, async (request) => refreshSession(ctx, request.body.refreshToken, clientInfo(request), auditContextOf(request)));

    app.post('/auth/logout', {
      config: { auth: 'session' },
      schema: { tags, summary: 'End the current session', response: { 204: NoContent } },
    }, async (request, reply) => {
      const actor = requireUser(request.principal);
      await revokeOwnSession(ctx, actor, actor.sessionId, 'logout', auditContextOf(request));
      return reply.code(204).send(null);
    });

    app.get('/auth/me', {
      config: { auth: 'authenticated' },
      schema: { tags, summary: 'The caller: user (or API key), current workspace, role, permissions and memberships', response: { 200: MeResponse } },
    }, async (request) => getMe(ctx, request.principal!));

    app.post('/auth/switch', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Move the current session to another workspace you belong to',
        body: Type.Object({ workspaceId: Uuid }, { additionalProperties: false }),
        response: { 200: SessionTokensSchema },
      },
    }, async (request) => switchWorkspace(ctx, requireUser(request.principal), request.body.workspaceId, auditContextOf(request)));

    app.get('/auth/sessions', {
      config: { auth: 'session' },
      schema: { tags, summary: 'Your sessions (live, and ended in the last 7 days), newest first', response: { 200: Type.Array(SessionItem) } },
    }, async (request) => listSessions(ctx, requireUser(request.principal)));

    app.delete('/auth/sessions/:id', {
      config: { auth: 'session', isSensitive: true },
      schema: { tags, summary: 'Revoke one of your sessions', params: Type.Object({ id: Uuid }), response: { 204: NoContent } },
    }, async (request, reply) => {
      await revokeOwnSession(ctx, requireUser(request.principal), request.params.id, 'revoked_by_user', auditContextOf(request));
      return reply.code(204).send(null);
    });

    app.post('/auth/password', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Change your password; your other sessions are revoked',
        body: Type.Object({ currentPassword: PasswordInput, newPassword: Type.String({ minLength: 1, maxLength: 1000 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ revokedSessions: Type.Integer({ description: 'How many other sessions were ended' }) }) },
      },
    }, async (request) => changePassword(ctx, requireUser(request.principal), request.body, clientInfo(request), auditContextOf(request)));
  };
}
