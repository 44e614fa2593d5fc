// /admin/requests: the platform admins' pipeline board across workspaces. Platform path only;
// every change is an audit event (actor platform_admin) in the request's workspace chain.
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { addRequestNote } from './add-request-note.ts';
import { estimateRequest } from './estimate-request.ts';
import { getRequestForAdmin } from './get-request-admin.ts';
import { listAllRequests } from './list-all-requests.ts';
import type { RequestsContext } from './requests.context.ts';
import { AdminRequestDetailSchema, AdminRequestListQuery, AdminRequestPageSchema, EstimateBody, IdParams, NoteBody, TransitionBody } from './requests.schema.ts';
import { transitionRequest } from './transition-request.ts';

const ADMIN = { auth: 'platform-admin' } as const;
const tags = ['admin', 'requests'];

export function requestsAdminRoutes(ctx: RequestsContext): RoutePlugin {
  return async (app) => {
    app.get('/admin/requests', {
      config: ADMIN,
      schema: {
        tags, summary: 'Every workspace\'s workflow requests (filter by status, `open` for the board, or workspace)',
        querystring: AdminRequestListQuery, response: { 200: AdminRequestPageSchema },
      },
    }, async (request) => listAllRequests(ctx, request.query));

    app.get('/admin/requests/:id', {
      config: ADMIN,
      schema: { tags, summary: 'One request with its whole timeline, internal notes included', params: IdParams, response: { 200: AdminRequestDetailSchema } },
    }, async (request) => getRequestForAdmin(ctx, request.params.id));

    app.post('/admin/requests/:id/transition', {
      config: ADMIN,
      schema: {
        tags, summary: 'Move a request along the pipeline (one step forward, or to rejected)',
        description: 'An illegal move answers 409 REQUEST_TRANSITION_INVALID (with `from`, `to`, `allowed`); with `expectedStatus`, a request that moved meanwhile answers 409 REQUEST_STATUS_CHANGED.',
        params: IdParams, body: TransitionBody, response: { 200: AdminRequestDetailSchema },
      },
    }, async (request) => transitionRequest(ctx, auditContextOf(request), request.params.id, request.body));

    app.put('/admin/requests/:id/estimate', {
      config: ADMIN,
      schema: {
        tags, summary: 'Set or revise the estimate (amount, currency, delivery date); shown to the client',
        params: IdParams, body: EstimateBody, response: { 200: AdminRequestDetailSchema },
      },
    }, async (request) => estimateRequest(ctx, auditContextOf(request), request.params.id, request.body));

    app.post('/admin/requests/:id/notes', {
      config: ADMIN,
      schema: {
        tags, summary: 'Add a note to the timeline (for the client, or internal for admins only)',
        params: IdParams, body: NoteBody, response: { 201: AdminRequestDetailSchema },
      },
    }, async (request, reply) => reply.code(201).send(await addRequestNote(ctx, auditContextOf(request), request.params.id, request.body)));
  };
}
