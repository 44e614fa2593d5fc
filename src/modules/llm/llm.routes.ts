// /llm: provider connections (test, models), aliases, prices; /admin/llm for the operator's
// providers and the price catalogue.
import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import { auditContextOf } from '../audit/index.ts';
import type { LlmContext } from './llm.context.ts';
import { changeProvider, createProvider, getProvider, listProviders, listTargetModels, removeProvider, targetOf, testTarget } from './manage-providers.ts';
import { listAliases, putAlias, removeAlias } from './manage-aliases.ts';
import { addCataloguePrice, overridePrice, removePriceOverrides } from './manage-prices.ts';
import { changePlatformProvider, createPlatformProvider, removePlatformProvider } from './platform-providers.ts';
import { selectCatalogue, selectEffectivePrices } from './prices.store.ts';
import { selectPlatformProvider, selectPlatformProviders } from './providers.store.ts';
import { viewOfProvider } from './provider-view.ts';
import { llmErrors } from './llm.errors.ts';
import {
  AliasName, AliasSchema, CreatePlatformProviderBody, CreateProviderBody, ModelId, PriceBody, PriceSchema, ProviderSchema, ProviderTestSchema, PutAliasBody, UpdatePlatformProviderBody, UpdateProviderBody,
} from './llm.schema.ts';

const tags = ['llm'];
const IdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const NoContent = Type.Null({ description: 'No content' });

export function llmRoutes(ctx: LlmContext): RoutePlugin {
  return async (app) => {
    // A change (committed by now) reloads the gateway's routing data: the workspace's, or every
    // workspace's after a change of the operator's providers or catalogue.
    app.addHook('onResponse', async (request, reply) => {
      if (request.method === 'GET' || reply.statusCode >= 400 || !request.principal) return;
      if (request.routeOptions.config?.auth === 'platform-admin') ctx.snapshots.invalidate();
      else ctx.snapshots.invalidate(request.principal.workspaceId);
    });
    app.get('/llm/providers', {
      config: { permission: 'llm.read' },
      schema: { tags, summary: 'The workspace\'s model providers, and the operator\'s it may use', response: { 200: Type.Object({ data: Type.Array(ProviderSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return { data: await ctx.db.withWorkspace(ws, (tx) => listProviders(tx, ws)) };
    });

    app.post('/llm/providers', {
      config: { permission: 'llm.manage' },
      schema: {
        tags, summary: 'Connect a model provider (its key stays in the vault: name the secret)',
        body: CreateProviderBody, response: { 201: ProviderSchema, 409: ProblemSchema },
      },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const view = await ctx.db.withWorkspace(ws, (tx) => createProvider(ctx, tx, auditContextOf(request), ws, request.body));
      return reply.code(201).send(view);
    });

    app.get('/llm/providers/:id', {
      config: { permission: 'llm.read' },
      schema: { tags, summary: 'One provider of the workspace', params: IdParams, response: { 200: ProviderSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return viewOfProvider(await ctx.db.withWorkspace(ws, (tx) => getProvider(tx, ws, request.params.id)));
    });

    app.patch('/llm/providers/:id', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Change a provider (name, URL, secret name, timeout, enabled)', params: IdParams, body: UpdateProviderBody, response: { 200: ProviderSchema, 409: ProblemSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return ctx.db.withWorkspace(ws, (tx) => changeProvider(ctx, tx, auditContextOf(request), ws, request.params.id, request.body));
    });

    app.delete('/llm/providers/:id', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Delete a provider (refused while an alias points at it)', params: IdParams, response: { 204: NoContent, 409: ProblemSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, (tx) => removeProvider(ctx, tx, auditContextOf(request), ws, request.params.id));
      return reply.code(204).send(null);
    });

    app.post('/llm/providers/:id/test', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Test a provider: reach it with its key and list its models (200 either way; `isOk` and `error` say how it went)', params: IdParams, response: { 200: ProviderTestSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const target = await ctx.db.withWorkspace(ws, async (tx) => targetOf(ctx, tx, ws, await getProvider(tx, ws, request.params.id)));
      return testTarget(target);
    });

    app.get('/llm/providers/:id/models', {
      config: { permission: 'llm.read' },
      schema: { tags, summary: 'The models the provider offers (asked live)', params: IdParams, response: { 200: Type.Object({ data: Type.Array(Type.String()) }), 502: ProblemSchema, 504: ProblemSchema, 422: ProblemSchema } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const target = await ctx.db.withWorkspace(ws, async (tx) => targetOf(ctx, tx, ws, await getProvider(tx, ws, request.params.id)));
      return { data: await listTargetModels(target) };
    });

    app.get('/llm/aliases', {
      config: { permission: 'llm.read' },
      schema: { tags, summary: 'Model aliases of the workspace', response: { 200: Type.Object({ data: Type.Array(AliasSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return { data: await ctx.db.withWorkspace(ws, (tx) => listAliases(tx, ws)) };
    });

    app.put('/llm/aliases/:name', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Create (201) or replace (200) a model alias: targets tried in order', params: Type.Object({ name: AliasName }), body: PutAliasBody, response: { 200: AliasSchema, 201: AliasSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const { alias, isCreated } = await ctx.db.withWorkspace(ws, (tx) => putAlias(ctx, tx, auditContextOf(request), ws, request.params.name, request.body));
      return reply.code(isCreated ? 201 : 200).send(alias);
    });

    app.delete('/llm/aliases/:name', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Delete a model alias', params: Type.Object({ name: AliasName }), response: { 204: NoContent } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, (tx) => removeAlias(ctx, tx, auditContextOf(request), ws, request.params.name));
      return reply.code(204).send(null);
    });

    app.get('/llm/prices', {
      config: { permission: 'llm.read' },
      schema: { tags, summary: 'Prices in effect for the workspace (its overrides first); a model absent here is unpriced', response: { 200: Type.Object({ data: Type.Array(PriceSchema) }) } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      return { data: await ctx.db.withWorkspace(ws, (tx) => selectEffectivePrices(tx, ws, new Date())) };
    });

    app.post('/llm/prices', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Override a model\'s price for this workspace (a new version, effective from now or `effectiveFrom`)', body: PriceBody, response: { 201: PriceSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      return reply.code(201).send(await ctx.db.withWorkspace(ws, (tx) => overridePrice(ctx, tx, auditContextOf(request), ws, request.body)));
    });

    app.delete('/llm/prices', {
      config: { permission: 'llm.manage' },
      schema: { tags, summary: 'Remove the workspace\'s overrides of a model\'s price (the catalogue applies again)', querystring: Type.Object({ model: ModelId }), response: { 204: NoContent, 404: ProblemSchema } },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      await ctx.db.withWorkspace(ws, (tx) => removePriceOverrides(ctx, tx, auditContextOf(request), ws, request.query.model));
      return reply.code(204).send(null);
    });

    // The operator's providers and the catalogue (platform admins).
    app.get('/admin/llm/providers', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'Operator providers (usable by every workspace, metered to it)', response: { 200: Type.Object({ data: Type.Array(ProviderSchema) }) } },
    }, async () => ({ data: (await ctx.db.withPlatform((tx) => selectPlatformProviders(tx))).map(viewOfProvider) }));

    app.post('/admin/llm/providers', {
      config: { auth: 'platform-admin', hasSecretBody: true },
      schema: { tags: ['admin'], summary: 'Add an operator provider (its key is write-only)', body: CreatePlatformProviderBody, response: { 201: ProviderSchema, 409: ProblemSchema } },
    }, async (request, reply) => {
      const view = await ctx.db.withPlatform((tx) => createPlatformProvider(ctx, tx, request.principal!.userId, request.body));
      return reply.code(201).send(view);
    });

    app.patch('/admin/llm/providers/:id', {
      config: { auth: 'platform-admin', hasSecretBody: true },
      schema: { tags: ['admin'], summary: 'Change an operator provider', params: IdParams, body: UpdatePlatformProviderBody, response: { 200: ProviderSchema, 409: ProblemSchema } },
    }, async (request) => ctx.db.withPlatform((tx) => changePlatformProvider(ctx, tx, request.principal!.userId, request.params.id, request.body)));

    app.delete('/admin/llm/providers/:id', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'Delete an operator provider (aliases pointing at it stop resolving to it)', params: IdParams, response: { 204: NoContent } },
    }, async (request, reply) => {
      await ctx.db.withPlatform((tx) => removePlatformProvider(ctx, tx, request.principal!.userId, request.params.id));
      return reply.code(204).send(null);
    });

    app.post('/admin/llm/providers/:id/test', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'Test an operator provider', params: IdParams, response: { 200: ProviderTestSchema } },
    }, async (request) => {
      const row = await ctx.db.withPlatform((tx) => selectPlatformProvider(tx, request.params.id));
      if (!row) throw llmErrors.create('PROVIDER_NOT_FOUND');
      const target = await ctx.db.withPlatform((tx) => targetOf(ctx, tx, request.principal!.workspaceId, row));
      return testTarget(target);
    });

    app.get('/admin/llm/prices', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'The price catalogue, every version', response: { 200: Type.Object({ data: Type.Array(PriceSchema) }) } },
    }, async () => ({ data: await ctx.db.withPlatform((tx) => selectCatalogue(tx)) }));

    app.post('/admin/llm/prices', {
      config: { auth: 'platform-admin' },
      schema: { tags: ['admin'], summary: 'Add a catalogue price version (effective from now or `effectiveFrom`; past calls keep their frozen cost)', body: PriceBody, response: { 201: PriceSchema } },
    }, async (request, reply) => reply.code(201).send(await ctx.db.withPlatform((tx) => addCataloguePrice(tx, auditContextOf(request), request.body))));
  };
}
