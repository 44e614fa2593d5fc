// /tickets: a workspace's support tickets and their threads (internal notes never included).
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { closeTicket } from './close-ticket.ts';
import { commentOnTicket } from './comment-on-ticket.ts';
import { createTicket } from './create-ticket.ts';
import { getTicket } from './get-ticket.ts';
import { listTickets } from './list-tickets.ts';
import type { SupportContext } from './support.context.ts';
import { CommentBody, CommentSchema, CreateTicketBody, IdParams, TicketDetailSchema, TicketListQuery, TicketPageSchema } from './support.schema.ts';

const tags = ['support'];

export function supportRoutes(ctx: SupportContext): RoutePlugin {
  return async (app) => {
    app.get('/tickets', {
      config: { permission: 'ticket.read' },
      schema: { tags, summary: 'The workspace\'s support tickets, newest first', querystring: TicketListQuery, response: { 200: TicketPageSchema } },
    }, async (request) => listTickets(ctx, request.principal!, request.query));

    app.post('/tickets', {
      config: { permission: 'ticket.create' },
      schema: {
        tags, summary: 'Open a support ticket, optionally about one of the workspace\'s workflow executions',
        body: CreateTicketBody, response: { 201: TicketDetailSchema },
      },
    }, async (request, reply) => reply.code(201).send(await createTicket(ctx, request.principal!, auditContextOf(request), request.body)));

    app.get('/tickets/:id', {
      config: { permission: 'ticket.read' },
      schema: { tags, summary: 'One ticket with its thread', params: IdParams, response: { 200: TicketDetailSchema } },
    }, async (request) => getTicket(ctx, request.principal!, request.params.id));

    app.post('/tickets/:id/comments', {
      config: { permission: 'ticket.comment' },
      schema: {
        tags, summary: 'Reply in the ticket\'s thread (reopens a waiting or resolved ticket; 409 TICKET_CLOSED on a closed one)',
        params: IdParams, body: CommentBody, response: { 201: CommentSchema },
      },
    }, async (request, reply) => reply.code(201).send(await commentOnTicket(ctx, request.principal!, auditContextOf(request), request.params.id, request.body.body)));

    app.post('/tickets/:id/close', {
      config: { permission: 'ticket.create' },
      schema: { tags, summary: 'Close the ticket (solved or no longer needed)', params: IdParams, response: { 200: TicketDetailSchema } },
    }, async (request) => closeTicket(ctx, request.principal!, auditContextOf(request), request.params.id));
  };
}
