// /impersonation: start (platform admin, or `impersonation.start` in the workspace), stop, the
// current one (console banner), and the owner "procedure" (request, approve; platform admins).
// Starting, asking and approving are sensitive: refused while already impersonating.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { holdsPermission } from '../../access/index.ts';
import { approveImpersonation } from './approve-impersonation.ts';
import { clientInfo } from '../client-info.ts';
import { getCurrentImpersonation } from './get-impersonation.ts';
import { requireUser } from '../identity.context.ts';
import type { IdentityContext } from '../identity.context.ts';
import { DateTime, NullableDateTime, RoleSchema, SessionTokensSchema, Uuid } from '../identity.schema.ts';
import { listImpersonationRequests } from './list-impersonation-requests.ts';
import { requestImpersonation } from './request-impersonation.ts';
import { MAX_IMPERSONATION_MINUTES, startImpersonation } from './start-impersonation.ts';
import { stopImpersonation } from './stop-impersonation.ts';

const tags = ['impersonation'];

const Reason = Type.String({ minLength: 10, maxLength: 1000, pattern: '\\S', description: 'Why (at least 10 characters); recorded in the audit trail' });

const Person = Type.Object({ id: Uuid, email: Type.String(), name: Type.String() });

const ImpersonationSchema = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  impersonatorId: Uuid,
  targetUserId: Uuid,
  sessionId: Uuid,
  requestId: Type.Union([Uuid, Type.Null()], { description: 'The approved request, for a workspace owner' }),
  reason: Type.String(),
  startedAt: DateTime,
  expiresAt: DateTime,
  endedAt: NullableDateTime,
});

const StartedSchema = Type.Object({
  ...SessionTokensSchema.properties,
  impersonation: ImpersonationSchema,
  target: Type.Object({ ...Person.properties, role: RoleSchema }),
});

const CurrentSchema = Type.Object({
  impersonation: Type.Union([
    Type.Object({ ...ImpersonationSchema.properties, impersonator: Person, target: Person }),
    Type.Null(),
  ], { description: 'null when the calling session is not an impersonation' }),
});

const RequestSchema = Type.Object({
  id: Uuid,
  workspaceId: Uuid,
  requestedBy: Uuid,
  targetUserId: Uuid,
  reason: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('approved'), Type.Literal('used')]),
  createdAt: DateTime,
  approvedBy: Type.Union([Uuid, Type.Null()]),
  approvedAt: NullableDateTime,
  usableUntil: Type.Union([DateTime, Type.Null()], { description: 'Start before this (approval + 15 minutes)' }),
});

export function impersonationRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.post('/impersonation', {
      config: { auth: 'session', isSensitive: true },
      schema: {
        tags,
        summary: 'Start impersonating a user: a token pair for a session of theirs carrying you as the real actor',
        description: 'Platform admins (any workspace; `workspaceId` defaults to the user\'s first) or members holding `impersonation.start` '
          + '(their own workspace only, never a role above theirs). Refused: yourself, platform admins, users who opted out, and '
          + 'workspace owners unless another platform admin approved your request (POST /impersonation/requests) less than 15 minutes ago. '
          + `The session ends after durationMinutes (at most ${MAX_IMPERSONATION_MINUTES}) or on POST /impersonation/stop.`,
        body: Type.Object({
          userId: Uuid,
          workspaceId: Type.Optional(Uuid),
          reason: Reason,
          durationMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_IMPERSONATION_MINUTES, default: MAX_IMPERSONATION_MINUTES })),
        }, { additionalProperties: false }),
        response: { 201: StartedSchema },
      },
    }, async (request, reply) => {
      const principal = request.principal!;
      const user = requireUser(principal);
      const mayStart = user.isPlatformAdmin || holdsPermission(principal, 'impersonation.start');
      const started = await startImpersonation(ctx, { ...user, mayStart }, request.body, clientInfo(request), auditContextOf(request));
      return reply.code(201).send(started);
    });

    app.post('/impersonation/stop', {
      config: { auth: 'session' },
      schema: {
        tags,
        summary: 'Stop the impersonation this session is: the session is revoked',
        description: 'Call it with the impersonation\'s access token; then use your own tokens again.',
        response: { 200: Type.Object({ impersonationId: Uuid, stoppedAt: DateTime }) },
      },
    }, async (request) => stopImpersonation(ctx, request.principal!, auditContextOf(request)));

    app.get('/impersonation/current', {
      config: { auth: 'session' },
      schema: { tags, summary: 'The impersonation the calling session is, or null', response: { 200: CurrentSchema } },
    }, async (request) => ({ impersonation: await getCurrentImpersonation(ctx, request.principal!) }));

    app.get('/impersonation/requests', {
      config: { auth: 'platform-admin' },
      schema: {
        tags,
        summary: 'Requests to impersonate a workspace owner: pending (24 hours) and approved ones still usable',
        querystring: Type.Object({ limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ data: Type.Array(RequestSchema) }) },
      },
    }, async (request) => ({ data: await listImpersonationRequests(ctx, request.query.limit) }));

    app.post('/impersonation/requests', {
      config: { auth: 'platform-admin', isSensitive: true },
      schema: {
        tags,
        summary: 'Ask to impersonate a workspace owner; another platform admin must approve',
        body: Type.Object({ userId: Uuid, workspaceId: Uuid, reason: Reason }, { additionalProperties: false }),
        response: { 201: RequestSchema },
      },
    }, async (request, reply) => reply.code(201).send(await requestImpersonation(ctx, requireUser(request.principal).userId, request.body, auditContextOf(request))));

    app.post('/impersonation/requests/:id/approve', {
      config: { auth: 'platform-admin', isSensitive: true },
      schema: {
        tags,
        summary: 'Approve another platform admin\'s request; they may start within 15 minutes, once',
        params: Type.Object({ id: Uuid }),
        response: { 200: RequestSchema },
      },
    }, async (request) => approveImpersonation(ctx, requireUser(request.principal).userId, request.params.id, auditContextOf(request)));
  };
}
