// OpenAI and every OpenAI-compatible server (Ollama, vLLM, LM Studio, OpenRouter, LiteLLM):
// chat completions (JSON and SSE, with the usage chunk always asked for, so a streamed call is
// never metered at zero), embeddings, models.
import type { TokenCounts } from '../../usage/index.ts';
import type { ChatChunk, ChatCompletion, ChatRequest, EmbeddingsResponse, OpenAiUsage } from '../llm.types.ts';
import { UpstreamError, readJson, readSse, sendUpstream } from '../upstream.ts';
import type { ProviderAdapter, StreamPart, Target } from './provider.types.ts';

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? Math.round(v) : 0);

export function tokensOfOpenAiUsage(u: OpenAiUsage | null | undefined): TokenCounts | null {
  if (!u || typeof u !== 'object') return null;
  return {
    inputTokens: num(u.prompt_tokens),
    outputTokens: num(u.completion_tokens),
    cachedInputTokens: num(u.prompt_tokens_details?.cached_tokens),
    cacheWriteTokens: num(u.prompt_tokens_details?.cache_write_tokens),
    reasoningTokens: num(u.completion_tokens_details?.reasoning_tokens),
  };
}

function headersOf(t: Target): Record<string, string> {
  return { 'content-type': 'application/json', ...(t.apiKey ? { authorization: `Bearer ${t.apiKey}` } : {}) };
}

const url = (t: Target, path: string) => `${t.baseUrl.replace(/\/+$/, '')}${path}`;

/** OpenAI's own API caches prompts by itself and knows no cache_control: breakpoints (from an Anthropic-format caller) are dropped for it, kept for compatible servers (OpenRouter, LiteLLM use them). */
function withoutCacheControl(req: ChatRequest): ChatRequest {
  return {
    ...req,
    messages: req.messages.map((m) => (Array.isArray(m.content) && m.content.some((p) => p.type === 'text' && p.cache_control)
      ? { ...m, content: m.content.map((p) => (p.type === 'text' ? { type: 'text' as const, text: p.text } : p)) }
      : m)),
    ...(req.tools ? { tools: req.tools.map(({ cache_control: _c, ...t }) => t) } : {}),
  };
}

/** Anthropic's thinking (its parameter, the blocks of earlier turns) means nothing to the OpenAI protocol: not sent. */
function withoutThinking(req: ChatRequest): ChatRequest {
  const { thinking: _t, ...rest } = req;
  return { ...rest, messages: req.messages.map((m) => (m.thinking_blocks ? (({ thinking_blocks: _b, ...kept }) => kept)(m) : m)) } as ChatRequest;
}

function upstreamBody(t: Target, req: ChatRequest, stream: boolean): string {
  const plain = withoutThinking(req);
  const { stream: _s, stream_options: _o, ...rest } = t.kind === 'openai' ? withoutCacheControl(plain) : plain;
  return JSON.stringify({ ...rest, model: t.model, stream, ...(stream ? { stream_options: { include_usage: true } } : {}) });
}

function isCompletion(v: unknown): v is ChatCompletion {
  return typeof v === 'object' && v !== null && Array.isArray((v as { choices?: unknown }).choices);
}

export const openAiAdapter: ProviderAdapter = {
  async chat(t, req, signal) {
    const res = await sendUpstream({ url: url(t, '/chat/completions'), method: 'POST', headers: headersOf(t), body: upstreamBody(t, req, false), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    const body = await readJson(res, t.timeoutMs);
    if (!isCompletion(body)) throw new UpstreamError('http', 'The provider\'s answer is not a chat completion', { status: 502 });
    return { response: { ...body, object: 'chat.completion' }, usage: tokensOfOpenAiUsage(body.usage) };
  },

  async chatStream(t, req, signal) {
    const res = await sendUpstream({ url: url(t, '/chat/completions'), method: 'POST', headers: { ...headersOf(t), accept: 'text/event-stream' }, body: upstreamBody(t, req, true), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    return (async function* parts(): AsyncGenerator<StreamPart> {
      for await (const e of readSse(res.body, t.timeoutMs)) {
        if (e.data === '[DONE]') return;
        let chunk: ChatChunk;
        try {
          chunk = JSON.parse(e.data) as ChatChunk;
        } catch {
          continue; // a provider's keep-alive or garbage line: skip, as the official clients do
        }
        if (typeof chunk !== 'object' || chunk === null) continue;
        if ((chunk as { error?: unknown }).error) throw new UpstreamError('http', 'The provider reported an error mid-stream', { status: 502, body: e.data.slice(0, 2000) });
        const usage = tokensOfOpenAiUsage(chunk.usage);
        yield usage ? { chunk, usage } : { chunk };
      }
    })();
  },

  async embeddings(t, req, signal) {
    const res = await sendUpstream({ url: url(t, '/embeddings'), method: 'POST', headers: headersOf(t), body: JSON.stringify({ ...req, model: t.model }), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    const body = await readJson(res, t.timeoutMs) as EmbeddingsResponse;
    if (!body || !Array.isArray(body.data)) throw new UpstreamError('http', 'The provider\'s answer is not an embeddings list', { status: 502 });
    const prompt = num(body.usage?.prompt_tokens);
    return { response: body, usage: body.usage ? { inputTokens: prompt, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 } : null };
  },

  async listModels(t, signal) {
    const res = await sendUpstream({ url: url(t, '/models'), method: 'GET', headers: headersOf(t), isPrivateAllowed: t.isPrivateAllowed, timeoutMs: t.timeoutMs, signal });
    const body = await readJson(res, t.timeoutMs, 4 * 1024 * 1024) as { data?: Array<{ id?: unknown }> };
    return (Array.isArray(body?.data) ? body.data : []).map((m) => m.id).filter((id): id is string => typeof id === 'string').sort();
  },
};
