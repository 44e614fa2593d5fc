// POST /hooks/:endpointId: where senders deliver. Public: the Standard Webhooks signature is the
// authentication. The body is taken as raw bytes (the signature covers them exactly), then kept
// as text once it is known to be UTF-8 PostgreSQL can store.
import type { RoutePlugin } from '../../../kernel/module.ts';
import { Type } from '@fastify/type-provider-typebox';
import type { Static } from '@fastify/type-provider-typebox';
import { receiveWebhook } from './receive-webhook.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { HookAcceptedSchema, HookParams } from '../webhooks.schema.ts';

const Problem = Type.Object({
  type: Type.String(), title: Type.String(), status: Type.Integer(), code: Type.String(), detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()), requestId: Type.Optional(Type.String()),
}, { additionalProperties: true });

export function hookRoutes(ctx: WebhooksContext): RoutePlugin {
  return async (app) => {
    // This plugin's scope only: any content type, as the exact bytes received.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));

    app.post('/hooks/:endpointId', {
      config: { auth: 'public' },
      schema: {
        tags: ['webhooks'],
        summary: 'Deliver a webhook to an endpoint (Standard Webhooks signed)',
        description: 'Headers `webhook-id`, `webhook-timestamp` (Unix seconds, within 5 minutes) and `webhook-signature` (`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` with the endpoint\'s secret). A repeated `webhook-id` gets the first answer again and starts nothing.',
        security: [],
        params: HookParams,
        body: Type.Unknown({ description: 'Any payload (JSON usually), signed as received' }),
        response: { 202: HookAcceptedSchema, 401: Problem, 404: Problem, 410: Problem, 422: Problem, '4xx': Problem },
      },
    }, async (request, reply) => {
      const answer = await receiveWebhook(ctx, {
        endpointId: request.params.endpointId,
        headers: request.headers,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        requestId: request.id,
        instance: request.url.split('?')[0],
      });
      if (answer.isDuplicate) reply.header('webhook-duplicate', 'true');
      // A stored answer is sent as stored (a duplicate gets the same bytes' worth of JSON).
      const body = answer.body as Static<typeof HookAcceptedSchema>;
      if (answer.status >= 400) return reply.code(answer.status).type('application/problem+json').send(body);
      return reply.code(answer.status).send(body);
    });
  };
}
