// /webhook-endpoints: inbound endpoints, their delivery logs and replay.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { createEndpoint } from './create-endpoint.ts';
import { deleteEndpoint } from './delete-endpoint.ts';
import { getEndpoint } from './get-endpoint.ts';
import { getInboundDelivery } from './get-inbound-delivery.ts';
import { listEndpoints } from './list-endpoints.ts';
import { listInboundDeliveries } from './list-inbound-deliveries.ts';
import { replayDeliveries } from './replay-deliveries.ts';
import { rotateEndpointSecret } from './rotate-endpoint-secret.ts';
import { updateEndpoint } from './update-endpoint.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import { findEndpoint } from './endpoints.store.ts';
import {
  CreateEndpointBody, EndpointDeliveryParams, EndpointSchema, EndpointWithSecretSchema, IdParams, InboundDeliveryDetailSchema, InboundDeliveryListQuery,
  InboundDeliverySchema, PageQuery, ReplayBody, ReplaySummarySchema, RotateSecretBody, RotatedSecretSchema, UpdateEndpointBody, page,
} from '../webhooks.schema.ts';

const tags = ['webhooks'];
/** Deliveries re-run per replay call; a larger window continues with the same replayId. */
export const API_REPLAY_LIMIT = 1_000;

export function endpointRoutes(ctx: WebhooksContext): RoutePlugin {
  return async (app) => {
    app.get('/webhook-endpoints', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'Inbound webhook endpoints of the workspace, newest first', querystring: PageQuery, response: { 200: page(EndpointSchema) } },
    }, async (request) => listEndpoints(ctx, request.principal!, request.query));

    app.post('/webhook-endpoints', {
      config: { permission: 'webhook.manage' },
      schema: {
        tags, summary: 'Create an inbound endpoint; its signing secret is in the answer, once',
        description: 'Senders POST to `url` with Standard Webhooks headers signed with `secret`. With `workflowId`, each delivery starts an execution of that workflow; without, deliveries are stored only.',
        body: CreateEndpointBody, response: { 201: EndpointWithSecretSchema },
      },
    }, async (request, reply) => reply.code(201).send(await createEndpoint(ctx, request.principal!, auditContextOf(request), request.body)));

    app.get('/webhook-endpoints/:id', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'One inbound endpoint (never its secret)', params: IdParams, response: { 200: EndpointSchema } },
    }, async (request) => getEndpoint(ctx, request.principal!, request.params.id));

    app.patch('/webhook-endpoints/:id', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Change an endpoint\'s name, target, ordering or enabled state', params: IdParams, body: UpdateEndpointBody, response: { 200: EndpointSchema } },
    }, async (request) => updateEndpoint(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.delete('/webhook-endpoints/:id', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Delete an endpoint and its stored deliveries', params: IdParams, response: { 204: Type.Null({ description: 'No content' }) } },
    }, async (request, reply) => {
      await deleteEndpoint(ctx, request.principal!, auditContextOf(request), request.params.id);
      return reply.code(204).send(null);
    });

    app.post('/webhook-endpoints/:id/rotate-secret', {
      config: { permission: 'webhook.manage' },
      schema: {
        tags, summary: 'New signing secret (shown once); the old one keeps verifying for the grace period',
        params: IdParams, body: RotateSecretBody, response: { 200: RotatedSecretSchema },
      },
    }, async (request) => rotateEndpointSecret(ctx, request.principal!, auditContextOf(request), request.params.id, request.body.previousSecretValidForSeconds));

    app.get('/webhook-endpoints/:id/deliveries', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'Deliveries the endpoint received, newest first', params: IdParams, querystring: InboundDeliveryListQuery, response: { 200: page(InboundDeliverySchema) } },
    }, async (request) => listInboundDeliveries(ctx, request.principal!, request.params.id, request.query));

    app.get('/webhook-endpoints/:id/deliveries/:deliveryId', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'One received delivery: headers (without signature), body, answer, replays', params: EndpointDeliveryParams, response: { 200: InboundDeliveryDetailSchema } },
    }, async (request) => getInboundDelivery(ctx, request.principal!, request.params.id, request.params.deliveryId));

    app.post('/webhook-endpoints/:id/replay', {
      config: { permission: 'webhook.manage' },
      schema: {
        tags, summary: 'Re-run the deliveries received since a time',
        description: `Each stored delivery in [since, until) is handed to the endpoint's current target again, at most once per replayId. Up to ${API_REPLAY_LIMIT} per call: call again with the answer's replayId while \`remaining\` > 0.`,
        params: IdParams, body: ReplayBody, response: { 200: ReplaySummarySchema },
      },
    }, async (request) => {
      const principal = request.principal!;
      const ws = principal.workspaceId;
      const endpointId = request.params.id;
      if (!(await ctx.db.withWorkspace(ws, (tx) => findEndpoint(tx, ws, endpointId)))) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
      const { since, until, replayId } = request.body;
      return replayDeliveries(ctx, auditContextOf(request), {
        workspaceId: ws, endpointId, since: new Date(since), until: until ? new Date(until) : null, replayId, limit: API_REPLAY_LIMIT,
      });
    });
  };
}
