// /event-subscriptions, /webhook-deliveries and /event-types: outbound webhooks.
import { ProblemSchema } from '../../../kernel/http/openapi.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { createSubscription } from './create-subscription.ts';
import { deleteSubscription } from './delete-subscription.ts';
import { getOutboundDelivery } from './get-outbound-delivery.ts';
import { getSubscription } from './get-subscription.ts';
import { listOutboundDeliveries } from './list-outbound-deliveries.ts';
import { listSubscriptions } from './list-subscriptions.ts';
import { redeliver } from './redeliver.ts';
import { rotateSubscriptionSecret } from './rotate-subscription-secret.ts';
import { sendTestEvent } from './send-test-event.ts';
import { updateSubscription } from './update-subscription.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import {
  CreateSubscriptionBody, EventTypeSchema, IdParams, OutboundDeliveryDetailSchema, OutboundDeliveryListQuery, OutboundDeliverySchema, PageQuery,
  RotateSecretBody, RotatedSecretSchema, SubscriptionSchema, SubscriptionWithSecretSchema, UpdateSubscriptionBody, page,
} from '../webhooks.schema.ts';

const tags = ['webhooks'];

export function subscriptionRoutes(ctx: WebhooksContext): RoutePlugin {
  return async (app) => {
    app.get('/event-types', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'Event types a subscription can listen to', response: { 200: Type.Object({ data: Type.Array(EventTypeSchema) }) } },
    }, async () => ({ data: ctx.eventTypes.list() }));

    app.get('/event-subscriptions', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'Event subscriptions of the workspace, newest first', querystring: PageQuery, response: { 200: page(SubscriptionSchema) } },
    }, async (request) => listSubscriptions(ctx, request.principal!, request.query));

    app.post('/event-subscriptions', {
      config: { permission: 'webhook.manage' },
      schema: {
        tags, summary: 'Subscribe a URL to events; its signing secret is in the answer, once',
        description: 'Each event is POSTed as `{type, timestamp, data}` with Standard Webhooks headers, retried with backoff, and the subscription is disabled after persistent failure.',
        body: CreateSubscriptionBody, response: { 201: SubscriptionWithSecretSchema, 422: { ...ProblemSchema, description: 'UNKNOWN_EVENT_TYPE' } },
      },
    }, async (request, reply) => reply.code(201).send(await createSubscription(ctx, request.principal!, auditContextOf(request), request.body)));

    app.get('/event-subscriptions/:id', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'One event subscription (never its secret)', params: IdParams, response: { 200: SubscriptionSchema } },
    }, async (request) => getSubscription(ctx, request.principal!, request.params.id));

    app.patch('/event-subscriptions/:id', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Change a subscription (enabling it again resets its failure count)', params: IdParams, body: UpdateSubscriptionBody, response: { 200: SubscriptionSchema, 422: { ...ProblemSchema, description: 'UNKNOWN_EVENT_TYPE' } } },
    }, async (request) => updateSubscription(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.delete('/event-subscriptions/:id', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Delete a subscription and its delivery log', params: IdParams, response: { 204: Type.Null({ description: 'No content' }) } },
    }, async (request, reply) => {
      await deleteSubscription(ctx, request.principal!, auditContextOf(request), request.params.id);
      return reply.code(204).send(null);
    });

    app.post('/event-subscriptions/:id/rotate-secret', {
      config: { permission: 'webhook.manage' },
      schema: {
        tags, summary: 'New signing secret (shown once); deliveries carry both signatures during the grace period',
        params: IdParams, body: RotateSecretBody, response: { 200: RotatedSecretSchema },
      },
    }, async (request) => rotateSubscriptionSecret(ctx, request.principal!, auditContextOf(request), request.params.id, request.body.previousSecretValidForSeconds));

    app.post('/event-subscriptions/:id/test', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Send a `ping` event to the subscription now (one attempt)', params: IdParams, response: { 202: OutboundDeliverySchema } },
    }, async (request, reply) => reply.code(202).send(await sendTestEvent(ctx, request.principal!, auditContextOf(request), request.params.id)));

    app.get('/event-subscriptions/:id/deliveries', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'Deliveries to the subscription, newest first', params: IdParams, querystring: OutboundDeliveryListQuery, response: { 200: page(OutboundDeliverySchema) } },
    }, async (request) => listOutboundDeliveries(ctx, request.principal!, request.params.id, request.query));

    app.get('/webhook-deliveries/:id', {
      config: { permission: 'webhook.read' },
      schema: { tags, summary: 'One outbound delivery with its body and every attempt', params: IdParams, response: { 200: OutboundDeliveryDetailSchema } },
    }, async (request) => getOutboundDelivery(ctx, request.principal!, request.params.id));

    app.post('/webhook-deliveries/:id/redeliver', {
      config: { permission: 'webhook.manage' },
      schema: { tags, summary: 'Send a delivery again now (same webhook-id, one attempt)', params: IdParams, response: { 202: OutboundDeliverySchema } },
    }, async (request, reply) => reply.code(202).send(await redeliver(ctx, request.principal!, auditContextOf(request), request.params.id)));
  };
}
