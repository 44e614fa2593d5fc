// /requests: a workspace's requests for new automations (create, list, read with the timeline,
// edit while submitted, withdraw). The pipeline itself is moved by platform admins
// (requests.admin.routes.ts).
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { createRequest } from './create-request.ts';
import { getRequest } from './get-request.ts';
import { listRequests } from './list-requests.ts';
import type { RequestsContext } from './requests.context.ts';
import { CreateRequestBody, IdParams, RequestDetailSchema, RequestListQuery, RequestPageSchema, UpdateRequestBody, WithdrawBody } from './requests.schema.ts';
import { updateRequest } from './update-request.ts';
import { withdrawRequest } from './withdraw-request.ts';

const tags = ['requests'];

export function requestsRoutes(ctx: RequestsContext): RoutePlugin {
  return async (app) => {
    app.get('/requests', {
      config: { permission: 'request.read' },
      schema: { tags, summary: 'The workspace\'s workflow requests, newest first', querystring: RequestListQuery, response: { 200: RequestPageSchema } },
    }, async (request) => listRequests(ctx, request.principal!, request.query));

    app.post('/requests', {
      config: { permission: 'request.create' },
      schema: {
        tags, summary: 'Ask for a new automation (starts `submitted`)',
        body: CreateRequestBody, response: { 201: RequestDetailSchema },
      },
    }, async (request, reply) => reply.code(201).send(await createRequest(ctx, request.principal!, auditContextOf(request), request.body)));

    app.get('/requests/:id', {
      config: { permission: 'request.read' },
      schema: { tags, summary: 'One request with its timeline (status moves, estimates, notes)', params: IdParams, response: { 200: RequestDetailSchema } },
    }, async (request) => getRequest(ctx, request.principal!, request.params.id));

    app.patch('/requests/:id', {
      config: { permission: 'request.create' },
      schema: {
        tags, summary: 'Edit a request while it is still `submitted` (409 REQUEST_NOT_EDITABLE after)',
        params: IdParams, body: UpdateRequestBody, response: { 200: RequestDetailSchema },
      },
    }, async (request) => updateRequest(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.post('/requests/:id/withdraw', {
      config: { permission: 'request.create' },
      schema: {
        tags, summary: 'Withdraw a request before a contract is signed (409 REQUEST_NOT_WITHDRAWABLE after)',
        params: IdParams, body: WithdrawBody, response: { 200: RequestDetailSchema },
      },
    }, async (request) => withdrawRequest(ctx, request.principal!, auditContextOf(request), request.params.id, request.body?.reason));
  };
}
