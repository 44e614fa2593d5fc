// The platform admin's routes: the one cross-workspace path. Every route requires a platform
// admin session; every handler reaches the database through db.withPlatform (in the use-cases).
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import type { AdminContext } from './admin.context.ts';
import { auditContextOf } from '../audit/index.ts';
import {
  AdminMailSchema, AdminUserSchema, AdminWorkspaceDetailSchema, AdminWorkspaceSchema, CreateWorkspaceBody, IdParams,
  MailListQuery, RevokedSessionsSchema, SuspendBody, UserListQuery, WorkspaceListQuery, WorkspaceOverviewSchema,
} from './admin.schema.ts';
import { listWorkspaces } from './list-workspaces.ts';
import { getWorkspaceOverview } from './accounts/get-workspace-overview.ts';
import { updateAccount } from './accounts/update-account.ts';
import { AccountPatchBody, OverviewQuery } from './accounts/account.schema.ts';
import { createWorkspace } from './create-workspace.ts';
import { changeWorkspaceStatus } from './change-workspace-status.ts';
import { logoutUser, logoutWorkspace } from './force-logout.ts';
import { listUsers } from './list-users.ts';
import { listAllMail } from './list-all-mail.ts';
import { dashboardRoutes } from './dashboard.routes.ts';

const ADMIN = { auth: 'platform-admin' } as const;
const tags = ['admin'];

export function adminRoutes(deps: AdminContext): RoutePlugin {
  return async (app) => {
    // Every request here is logged by the kernel (platform-admin routes); changes are also
    // audit events in the touched workspace's chain (the use-cases).
    app.get('/admin/workspaces', {
      config: ADMIN,
      schema: {
        tags, summary: 'Every workspace: filter, sort and paginate',
        querystring: WorkspaceListQuery,
        response: { 200: Type.Object({ data: Type.Array(AdminWorkspaceSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }) },
      },
    }, async (request) => listWorkspaces(deps, request.query));

    app.get('/admin/workspaces/:id', {
      config: ADMIN,
      schema: {
        tags, summary: 'The whole picture of a client: members, account, usage over a window, workflows, requests, tickets, recent audit events',
        description: 'Units: money is `{ amountMinor, currency }`, rates are fractions 0–1, durations are milliseconds. The usage window defaults to the last 30 days.',
        params: IdParams, querystring: OverviewQuery,
        response: { 200: WorkspaceOverviewSchema, 400: { ...ProblemSchema, description: 'FILTER_INVALID: `from` not before `to`, or a window over 366 days' } },
      },
    }, async (request) => getWorkspaceOverview(deps, request.params.id, request.query));

    app.patch('/admin/workspaces/:id', {
      config: ADMIN,
      schema: {
        tags, summary: 'Change what a client pays for: plan, subscription, notes, metadata (audited with before/after)',
        description: 'The subscription is merged field by field (null removes it); metadata is merged as Stripe does (a key set to null or "" is removed). Answers the whole picture, like GET.',
        params: IdParams, body: AccountPatchBody,
        response: { 200: WorkspaceOverviewSchema, 400: { ...ProblemSchema, description: 'VALIDATION_FAILED or ACCOUNT_INVALID, with `errors[].path` naming each field' } },
      },
    }, async (request) => {
      await updateAccount(deps, auditContextOf(request), request.params.id, request.body);
      return getWorkspaceOverview(deps, request.params.id);
    });

    app.post('/admin/workspaces', {
      config: ADMIN,
      schema: {
        tags, summary: 'Create an organization workspace, optionally owned by an existing user',
        body: CreateWorkspaceBody,
        response: { 201: AdminWorkspaceDetailSchema, 404: { ...ProblemSchema, description: 'USER_NOT_FOUND: no user has the owner email' } },
      },
    }, async (request, reply) => reply.code(201).send(await createWorkspace(deps, auditContextOf(request), request.body)));

    app.post('/admin/workspaces/:id/suspend', {
      config: ADMIN,
      schema: {
        tags, summary: 'Suspend a workspace: its sessions end and access is refused until restored',
        params: IdParams, body: SuspendBody,
        response: { 200: AdminWorkspaceSchema },
      },
    }, async (request) => (await changeWorkspaceStatus(deps, auditContextOf(request), request.params.id, 'suspended', { reason: request.body?.reason })).workspace);

    app.post('/admin/workspaces/:id/restore', {
      config: ADMIN,
      schema: { tags, summary: 'Restore a suspended or deleted workspace', params: IdParams, response: { 200: AdminWorkspaceSchema } },
    }, async (request) => (await changeWorkspaceStatus(deps, auditContextOf(request), request.params.id, 'active')).workspace);

    app.delete('/admin/workspaces/:id', {
      config: ADMIN,
      schema: { tags, summary: 'Soft-delete a workspace (data kept, sessions ended, restorable)', params: IdParams, response: { 200: AdminWorkspaceSchema } },
    }, async (request) => (await changeWorkspaceStatus(deps, auditContextOf(request), request.params.id, 'deleted', { reason: 'deleted by a platform admin' })).workspace);

    app.post('/admin/workspaces/:id/logout', {
      config: ADMIN,
      schema: { tags, summary: 'End every session bound to a workspace', params: IdParams, response: { 200: RevokedSessionsSchema } },
    }, async (request) => logoutWorkspace(deps, auditContextOf(request), request.params.id));

    app.get('/admin/users', {
      config: ADMIN,
      schema: {
        tags, summary: 'Every user, newest first',
        querystring: UserListQuery,
        response: { 200: Type.Object({ data: Type.Array(AdminUserSchema), total: Type.Integer(), limit: Type.Integer(), offset: Type.Integer() }) },
      },
    }, async (request) => listUsers(deps, request.query));

    app.post('/admin/users/:id/logout', {
      config: ADMIN,
      schema: { tags, summary: 'End every session of a user, in every workspace', params: IdParams, response: { 200: RevokedSessionsSchema } },
    }, async (request) => logoutUser(deps, auditContextOf(request), request.params.id));

    app.get('/admin/mail', {
      config: ADMIN,
      schema: {
        tags, summary: 'The outbox of every workspace, newest first (dev mailbox)',
        querystring: MailListQuery,
        response: { 200: Type.Object({ data: Type.Array(AdminMailSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    }, async (request) => listAllMail(deps, request.query));

    await app.register(dashboardRoutes(deps));
  };
}
