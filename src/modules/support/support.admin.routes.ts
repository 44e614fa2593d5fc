// /admin/tickets: every workspace's tickets for the platform admins: filter, assign, change
// status and priority, reply, internal notes. Platform path only; every change is an audit
// event (actor platform_admin) in the ticket's workspace chain.
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { getTicketForAdmin } from './get-ticket-admin.ts';
import { listAllTickets } from './list-all-tickets.ts';
import { listAssignees } from './list-assignees.ts';
import { replyToTicket } from './reply-to-ticket.ts';
import type { SupportContext } from './support.context.ts';
import {
  AdminCommentBody, AdminTicketDetailSchema, AdminTicketListQuery, AdminTicketPageSchema, AdminUpdateTicketBody, AssigneeSchema, CommentSchema, IdParams,
} from './support.schema.ts';
import { updateTicket } from './update-ticket.ts';

const ADMIN = { auth: 'platform-admin' } as const;
const tags = ['admin', 'support'];

export function supportAdminRoutes(ctx: SupportContext): RoutePlugin {
  return async (app) => {
    app.get('/admin/tickets', {
      config: ADMIN,
      schema: {
        tags, summary: 'Every workspace\'s tickets: filter by status (`active`), priority, assignee (`none`), workspace; most urgent first',
        querystring: AdminTicketListQuery, response: { 200: AdminTicketPageSchema },
      },
    }, async (request) => listAllTickets(ctx, request.query));

    app.get('/admin/tickets/assignees', {
      config: ADMIN,
      schema: { tags, summary: 'Who tickets can be assigned to (the platform admins)', response: { 200: Type.Object({ data: Type.Array(AssigneeSchema) }) } },
    }, async () => listAssignees(ctx));

    app.get('/admin/tickets/:id', {
      config: ADMIN,
      schema: { tags, summary: 'One ticket with its whole thread, internal notes included', params: IdParams, response: { 200: AdminTicketDetailSchema } },
    }, async (request) => getTicketForAdmin(ctx, request.params.id));

    app.patch('/admin/tickets/:id', {
      config: ADMIN,
      schema: {
        tags, summary: 'Assign (a platform admin, or null), change the status or the priority',
        params: IdParams, body: AdminUpdateTicketBody, response: { 200: AdminTicketDetailSchema, 422: { ...ProblemSchema, description: 'TICKET_ASSIGNEE_INVALID: the assignee is not a platform admin' } },
      },
    }, async (request) => updateTicket(ctx, auditContextOf(request), request.params.id, request.body));

    app.post('/admin/tickets/:id/comments', {
      config: ADMIN,
      schema: {
        tags, summary: 'Reply to the client, or add an internal note (isInternal) the client never sees',
        params: IdParams, body: AdminCommentBody, response: { 201: CommentSchema },
      },
    }, async (request, reply) => reply.code(201).send(await replyToTicket(ctx, auditContextOf(request), request.params.id, request.body)));
  };
}
