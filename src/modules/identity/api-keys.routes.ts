// /api-keys: keys for scripts, per workspace. Creating and revoking need a user session.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { createApiKey } from './create-api-key.ts';
import type { IdentityContext } from './identity.context.ts';
import { DateTime, GrantableRole, NoContent, NullableDateTime, Page, Uuid } from './identity.schema.ts';
import { listApiKeys } from './list-api-keys.ts';
import { revokeApiKey } from './revoke-api-key.ts';

const tags = ['api-keys'];

const ApiKey = Type.Object({
  id: Uuid,
  name: Type.String(),
  prefix: Type.String({ description: 'The visible start of the key (atr_<12 hex>)' }),
  role: GrantableRole,
  createdAt: DateTime,
  lastUsedAt: NullableDateTime,
  expiresAt: NullableDateTime,
  revokedAt: NullableDateTime,
  createdBy: Type.Union([Uuid, Type.Null()]),
});

export function apiKeyRoutes(ctx: IdentityContext): RoutePlugin {
  return async (app) => {
    app.get('/api-keys', {
      config: { permission: 'api_key.read' },
      schema: {
        tags,
        summary: 'API keys of the workspace, newest first (never the secret)',
        querystring: Page,
        response: { 200: Type.Object({ data: Type.Array(ApiKey), nextCursor: Type.Union([Uuid, Type.Null()]) }) },
      },
    }, async (request) => listApiKeys(ctx, request.principal!, request.query));

    app.post('/api-keys', {
      config: { auth: 'session', permission: 'api_key.create', isSensitive: true },
      schema: {
        tags,
        summary: 'Create an API key; the full key is returned once, as `key`',
        description: 'The role can\'t be above yours (403 ROLE_NOT_ALLOWED). Needs a user session, not an API key.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
          role: GrantableRole,
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'Shown once: `Authorization: Bearer <key>`' }) }) },
      },
    }, async (request, reply) => {
      const created = await createApiKey(ctx, request.principal!, request.body, auditContextOf(request));
      return reply.code(201).send(created);
    });

    app.delete('/api-keys/:id', {
      config: { auth: 'session', permission: 'api_key.revoke', isSensitive: true },
      schema: { tags, summary: 'Revoke an API key (it stops working at once)', params: Type.Object({ id: Uuid }), response: { 204: NoContent } },
    }, async (request, reply) => {
      await revokeApiKey(ctx, request.principal!, request.params.id, auditContextOf(request));
      return reply.code(204).send(null);
    });
  };
}
