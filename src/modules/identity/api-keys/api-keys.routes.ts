// /api-keys: keys for scripts, per workspace. Creating and revoking need a user session.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { auditContextOf } from '../../audit/index.ts';
import { createApiKey } from './create-api-key.ts';
import type { IdentityContext } from '../identity.context.ts';
import { DateTime, GrantableRole, NoContent, NullableDateTime, Page, Uuid } from '../identity.schema.ts';
import { listApiKeys } from './list-api-keys.ts';
import { revokeApiKey } from './revoke-api-key.ts';
import { setApiKeyRoles } from './set-api-key-roles.ts';

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
  roleIds: Type.Array(Uuid, { description: 'Custom roles held on top of the built-in role (GET /roles)' }),
});

const RoleIds = Type.Array(Uuid, { maxItems: 100, uniqueItems: true, description: 'Custom roles of this workspace (GET /roles), held on top of the built-in role' });

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
        description: 'The role can\'t be above yours (403 ROLE_NOT_ALLOWED); each custom role must hold only permissions you hold for every resource (403 PERMISSION_NOT_GRANTABLE) and be this workspace\'s (404 ROLE_NOT_FOUND). Needs a user session, not an API key.',
        body: Type.Object({
          name: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
          role: GrantableRole,
          roleIds: Type.Optional(RoleIds),
          expiresInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
        }, { additionalProperties: false }),
        response: { 201: Type.Object({ ...ApiKey.properties, key: Type.String({ description: 'Shown once: `Authorization: Bearer <key>`' }) }) },
      },
    }, async (request, reply) => {
      const created = await createApiKey(ctx, request.principal!, request.body, auditContextOf(request));
      return reply.code(201).send(created);
    });

    app.put('/api-keys/:id/roles', {
      config: { auth: 'session', permission: 'api_key.create', isSensitive: true },
      schema: {
        tags,
        summary: 'Set an API key\'s custom roles (replaces them; the built-in role is unchanged)',
        description: 'As creating a key with these roles: not for a key whose role is above yours (403 ROLE_NOT_ALLOWED); each role added or removed must hold only permissions you hold for every resource (403 PERMISSION_NOT_GRANTABLE); a role that is not this workspace\'s answers 404 ROLE_NOT_FOUND; a revoked key 409 API_KEY_REVOKED. Takes effect on the key\'s next request.',
        params: Type.Object({ id: Uuid }),
        body: Type.Object({ roleIds: RoleIds }, { additionalProperties: false }),
        response: { 200: ApiKey },
      },
    }, async (request) => setApiKeyRoles(ctx, request.principal!, request.params.id, request.body.roleIds, auditContextOf(request)));

    app.delete('/api-keys/:id', {
      config: { auth: 'session', permission: 'api_key.revoke', isSensitive: true },
      schema: { tags, summary: 'Revoke an API key (it stops working at once)', params: Type.Object({ id: Uuid }), response: { 204: NoContent } },
    }, async (request, reply) => {
      await revokeApiKey(ctx, request.principal!, request.params.id, auditContextOf(request));
      return reply.code(204).send(null);
    });
  };
}
