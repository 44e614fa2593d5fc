// The vendor-compatible API, mounted at the root so the official clients work by setting only
// their base URL and an Atrium API key: OpenAI `baseURL: <atrium>/v1` (POST /v1/chat/completions,
// GET /v1/models, POST /v1/embeddings), Anthropic `baseURL: <atrium>` (POST /v1/messages, key
// in x-api-key). Calls are scoped to the key's workspace and need `llm.use`.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RoutePlugin } from '../../../kernel/module.ts';
import { ProblemSchema } from '../../../kernel/http/openapi.ts';
import { AppError } from '../../../kernel/errors.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import type { Gateway } from '../gateway.service.ts';
import { gatewayErrorOf } from '../gateway.service.ts';
import type { CallPrincipal, ChatChunk, ChatRequest, ChatStream, EmbeddingsRequest } from '../llm.types.ts';
import { countPromptTokens } from '../count-tokens.ts';
import { registerVendorErrors, vendorError } from './vendor-errors.ts';
import type { Surface } from './vendor-errors.ts';
import { anthropicStreamWriter, fromAnthropicRequest, toAnthropicMessage } from './anthropic-surface.ts';
import type { AnthropicRequest } from './anthropic-surface.ts';
import { ChatCompletionBody, ChatCompletionResponse, EmbeddingsBody, EmbeddingsResponseSchema, MessageResponse, MessagesBody, ModelsResponse } from './gateway.schema.ts';

const GATEWAY_ERRORS = { 404: ProblemSchema, 422: ProblemSchema, 502: ProblemSchema, 504: ProblemSchema };
/** Chat bodies carry images and long contexts. */
const BODY_LIMIT = 32 * 1024 * 1024;

export type ModelLister = (principal: CallPrincipal) => Promise<Array<{ id: string; ownedBy: string }>>;

function callerOf(p: Principal): CallPrincipal {
  return { workspaceId: p.workspaceId, userId: p.userId, apiKeyId: p.apiKeyId };
}

function openSse(reply: FastifyReply): void {
  reply.hijack();
  reply.raw.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no', 'x-request-id': reply.request.id,
  });
  reply.raw.flushHeaders();
}

/** Pipe a gateway stream to the client; a client that leaves stops the provider (and is metered for what was produced). */
async function pipeStream(request: FastifyRequest, reply: FastifyReply, stream: ChatStream, surface: Surface, onChunk: (c: ChatChunk) => void, onEnd: () => Promise<void>): Promise<void> {
  const res = reply.raw;
  const onClose = () => { if (!res.writableEnded) stream.abort(); };
  res.on('close', onClose);
  try {
    for await (const chunk of stream) {
      if (res.destroyed) break;
      onChunk(chunk);
    }
    if (!res.destroyed) await onEnd();
  } catch (err) {
    const problem = gatewayErrorOf(err, null);
    request.log.warn({ code: problem.code }, 'stream ended with an error');
    if (!res.destroyed) {
      const body = { status: problem.status, code: problem.code, title: problem.title, detail: problem.detail };
      if (surface === 'openai') res.write(`data: ${JSON.stringify(vendorError('openai', body))}\n\n`);
      else res.write(`event: error\ndata: ${JSON.stringify(vendorError('anthropic', body))}\n\n`);
    }
  } finally {
    res.off('close', onClose);
    if (!res.writableEnded) res.end();
  }
}

export function gatewayRoutes(gateway: Gateway, listModels: ModelLister): RoutePlugin {
  return async (root) => {
    await root.register(async (app) => {
      registerVendorErrors(app, 'openai');

      app.post('/v1/chat/completions', {
        bodyLimit: BODY_LIMIT,
        config: { permission: 'llm.use' },
        schema: {
          tags: ['gateway'], summary: 'OpenAI-compatible chat completions (JSON or SSE with `stream: true`)',
          description: 'Use the official OpenAI client with `baseURL: "<atrium>/v1"` and an Atrium API key. `model` is an alias of the workspace, `provider/model`, or a bare name when the workspace has one provider. Quotas and budgets are checked before the call (429 `quota_exceeded`); errors carry the OpenAI error object.',
          body: ChatCompletionBody, response: { 200: ChatCompletionResponse, ...GATEWAY_ERRORS },
        },
      }, async (request, reply) => {
        const body = request.body as unknown as ChatRequest;
        const input = { principal: callerOf(request.principal!), request: body, requestId: request.id, apiFormat: 'openai' as const };
        if (!body.stream) {
          const { response } = await gateway.complete(input);
          return response;
        }
        const stream = await gateway.stream(input);
        openSse(reply);
        await pipeStream(request, reply, stream, 'openai',
          (chunk) => reply.raw.write(`data: ${JSON.stringify(chunk)}\n\n`),
          async () => {
            // The usage event is written before the stream ends: a client that reads its usage next finds it.
            await stream.usage.catch(() => undefined);
            reply.raw.write('data: [DONE]\n\n');
          });
        return reply;
      });

      app.post('/v1/embeddings', {
        bodyLimit: BODY_LIMIT,
        config: { permission: 'llm.use' },
        schema: { tags: ['gateway'], summary: 'OpenAI-compatible embeddings', body: EmbeddingsBody, response: { 200: EmbeddingsResponseSchema, ...GATEWAY_ERRORS } },
      }, async (request) => {
        const { response } = await gateway.embed({ principal: callerOf(request.principal!), request: request.body as EmbeddingsRequest, requestId: request.id, apiFormat: 'openai' });
        return response;
      });

      app.get('/v1/models', {
        config: { permission: 'llm.use' },
        schema: { tags: ['gateway'], summary: 'Models this workspace can call: its aliases and its providers\' models (OpenAI-compatible list)', response: { 200: ModelsResponse } },
      }, async (request) => {
        const models = await listModels(callerOf(request.principal!));
        return { object: 'list' as const, data: models.map((m) => ({ id: m.id, object: 'model' as const, created: 0, owned_by: m.ownedBy })) };
      });
    });

    await root.register(async (app) => {
      registerVendorErrors(app, 'anthropic');
      app.post('/v1/messages', {
        bodyLimit: BODY_LIMIT,
        config: { permission: 'llm.use' },
        schema: {
          tags: ['gateway'], summary: 'Anthropic-compatible messages (JSON or SSE events with `stream: true`)',
          description: 'Use the official Anthropic client with `baseURL: "<atrium>"` and an Atrium API key (sent as x-api-key). Any provider of the workspace can answer; messages, tools, stop reasons and usage are translated.',
          body: MessagesBody, response: { 200: MessageResponse, ...GATEWAY_ERRORS },
        },
      }, async (request, reply) => {
        const body = request.body as unknown as AnthropicRequest;
        let chat: ChatRequest;
        try {
          chat = fromAnthropicRequest(body);
        } catch (err) {
          if (err instanceof AppError) throw err;
          throw gatewayErrorOf(err, null);
        }
        const input = { principal: callerOf(request.principal!), request: chat, requestId: request.id, apiFormat: 'anthropic' as const };
        if (!body.stream) {
          const { response, usage } = await gateway.complete(input);
          return toAnthropicMessage(response, usage, body.model);
        }
        const stream = await gateway.stream({ ...input, request: { ...chat, stream: true, stream_options: { include_usage: true } } });
        openSse(reply);
        const writer = anthropicStreamWriter((event, data) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`), body.model, countPromptTokens(chat));
        let final: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteTokens: number } | null = null;
        await pipeStream(request, reply, stream, 'anthropic',
          (chunk) => {
            if (chunk.usage) {
              final = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens, cachedInputTokens: chunk.usage.prompt_tokens_details?.cached_tokens ?? 0, cacheWriteTokens: 0 };
              return;
            }
            writer.chunk(chunk);
          },
          async () => {
            const usage = await stream.usage.catch(() => null);
            writer.finish(usage ?? final ?? { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0 });
          });
        return reply;
      });
    });
  };
}
