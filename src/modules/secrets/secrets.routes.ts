// /secrets: metadata and write-only values. No response schema has a value field, so even a
// mistake in a use-case could not serialize one.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { deleteSecret } from './delete-secret.ts';
import { getSecret } from './get-secret.ts';
import { listSecrets } from './list-secrets.ts';
import { putSecret } from './put-secret.ts';
import type { SecretsContext } from './secrets.context.ts';
import { PutSecretBody, SecretListQuery, SecretName, SecretSchema } from './secrets.schema.ts';

const tags = ['secrets'];
const Params = Type.Object({ name: SecretName });

export function secretsRoutes(ctx: SecretsContext): RoutePlugin {
  return async (app) => {
    app.get('/secrets', {
      config: { permission: 'secret.read' },
      schema: {
        tags,
        summary: 'Secrets of the workspace, by name: metadata only, never values',
        querystring: SecretListQuery,
        response: { 200: Type.Object({ data: Type.Array(SecretSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    }, async (request) => listSecrets(ctx, request.principal!, request.query));

    app.get('/secrets/:name', {
      config: { permission: 'secret.read' },
      schema: { tags, summary: 'One secret\'s metadata (the value can\'t be read back)', params: Params, response: { 200: SecretSchema } },
    }, async (request) => getSecret(ctx, request.principal!, request.params.name));

    app.put('/secrets/:name', {
      config: { permission: 'secret.write', hasSecretBody: true },
      schema: {
        tags,
        summary: 'Create a secret (201) or replace its value (200)',
        description: 'The value is encrypted at once and is write-only: no route returns it. Workflow steps and LLM providers read it on the server.',
        params: Params,
        body: PutSecretBody,
        response: { 200: SecretSchema, 201: SecretSchema },
      },
    }, async (request, reply) => {
      const { secret, isCreated } = await putSecret(ctx, request.principal!, auditContextOf(request), request.params.name, request.body);
      return reply.code(isCreated ? 201 : 200).send(secret);
    });

    app.delete('/secrets/:name', {
      config: { permission: 'secret.write' },
      schema: { tags, summary: 'Delete a secret and its encrypted value', params: Params, response: { 204: Type.Null({ description: 'No content' }) } },
    }, async (request, reply) => {
      await deleteSecret(ctx, request.principal!, auditContextOf(request), request.params.name);
      return reply.code(204).send(null);
    });
  };
}
