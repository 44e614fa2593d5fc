// The gateway: every model call of every workspace goes through here. For one call:
//  1. one tenant transaction: the workspace (plan, settings), the model's targets (alias,
//     allow-list, keys), their prices, and the reservation of the call's most (prompt tokens +
//     output cap, priced) on every quota and budget that applies — committed before the call
//     goes out, so concurrent calls cannot overrun a budget;
//  2. the provider call, falling back to the alias's next target on 429 / 5xx / timeout /
//     network failure (for a stream: only before its first chunk);
//  3. settlement: one usage event (tokens from the provider's answer, else counted and marked
//     `estimated`; cost frozen at call time, or `unpriced`), the reservation replaced by the real
//     use, alerts. A stream the client cut is metered for what the provider produced.
import { performance } from 'node:perf_hooks';
import { AppError } from '../../kernel/errors.ts';
import { deferredChild } from '../../kernel/logging.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Reservation, TokenCounts, UsageEventInput } from '../usage/index.ts';
import type { LlmContext } from './llm.context.ts';
import { llmErrors } from './llm.errors.ts';
import type { CallInput, ChatChunk, ChatCompletion, ChatRequest, ChatStream, EmbeddingsRequest, EmbeddingsResponse, UsageRecord } from './llm.types.ts';
import { countEmbeddingInput, countPromptTokens, countText } from './count-tokens.ts';
import { costOf, maxCostOf } from './price-call.ts';
import type { Price } from './prices.store.ts';
import { resolveModel } from './resolve-model.ts';
import { ADAPTERS } from './providers/adapters.ts';
import type { StreamPart, Target } from './providers/provider.types.ts';
import { ZERO_TOKENS } from './providers/provider.types.ts';
import { UpstreamError } from './upstream.ts';
import { activeSpan, inSpan, SpanKind } from '../../kernel/tracing.ts';
import { uuidv7 } from '../../kernel/ids.ts';

const hostOf = (url: string): string => {
  try {
    return new URL(url).host;
  } catch {
    return '';
  }
};

/** Output tokens reserved when a call sets no cap of its own. */
export const DEFAULT_OUTPUT_RESERVE = 4096;

type Operation = 'chat' | 'embeddings';

type Prepared = { targets: Target[]; prices: Array<Price | null>; reservation: Reservation; promptTokens: () => number; startedAt: number; prepareMs: number; log: Logger };

function outputCapOf(req: ChatRequest): number {
  const cap = req.max_completion_tokens ?? req.max_tokens;
  return typeof cap === 'number' && cap > 0 ? cap : DEFAULT_OUTPUT_RESERVE;
}

/** The provider's failure as the caller's error (its status mapped; never a 500 of ours). */
export function gatewayErrorOf(err: unknown, target: Target | null): AppError {
  if (err instanceof AppError) return err;
  if (!(err instanceof UpstreamError)) return llmErrors.create('PROVIDER_ERROR', 'The model call failed');
  const where = target ? ` (${target.providerName}/${target.model})` : '';
  if (err.kind === 'address') return llmErrors.create('PROVIDER_ADDRESS_REFUSED', `${err.message}${where}`);
  if (err.kind === 'timeout') return llmErrors.create('PROVIDER_TIMEOUT', `${err.message}${where}`);
  if (err.kind === 'network') return llmErrors.create('PROVIDER_UNREACHABLE', `${err.message}${where}`);
  const status = err.status ?? 502;
  if (status === 429) return llmErrors.create('PROVIDER_RATE_LIMITED', `${err.message}${where}`, err.retryAfter ? { headers: { 'retry-after': err.retryAfter } } : undefined);
  if (status === 404) return llmErrors.create('MODEL_NOT_FOUND', `${err.message}${where}`);
  if (status === 400 || status === 413 || status === 422) return llmErrors.create('LLM_REQUEST_INVALID', `${err.message}${where}`);
  // 401/403 from a provider: the workspace's provider key is wrong, not the caller's.
  return llmErrors.create('PROVIDER_ERROR', `${err.message}${where}`);
}

export function createGateway(ctx: LlmContext) {
  /** `countPrompt` runs at most once, and only when needed: a limit to reserve against, or an answer without usage. */
  async function prepare(input: CallInput<{ model: string }>, op: Operation, countPrompt: () => number, outputCap: number): Promise<Prepared> {
    const startedAt = performance.now();
    const { principal } = input;
    const ws = principal.workspaceId;
    const log = deferredChild(ctx.log, { requestId: input.requestId ?? undefined, workspaceId: ws, component: 'llm' });
    const subjects = { workspaceId: ws, apiKeyId: principal.apiKeyId, agentId: principal.agentId ?? null, userId: principal.userId };
    try {
      const snapshot = await ctx.snapshots.get(ws);
      const { targets } = resolveModel(snapshot, input.request.model);
      const prices = await Promise.all(targets.map((t) => ctx.snapshots.price(snapshot, ws, t.model)));
      let counted: number | null = null;
      const promptTokens = () => (counted ??= countPrompt());
      // Priced at the dearest target (a fallback may be the one that answers); unpriced if any target is.
      const isPriced = prices.every((p) => p !== null);
      const most = () => ({ tokens: promptTokens() + outputCap, costMicros: isPriced ? Math.max(...prices.map((p) => maxCostOf(promptTokens(), outputCap, p!))) : null });
      const reservation = await ctx.usage.reserve({ subjects, quotas: snapshot.quotas, plan: snapshot.plan, most, isPriced, model: input.request.model });
      const prepared = { targets, prices, reservation };
      return { ...prepared, promptTokens, startedAt, prepareMs: performance.now() - startedAt, log };
    } catch (err) {
      // A refusal is a call too: recorded (status refused), so analytics show what was turned away.
      if (err instanceof AppError && (err.code === 'QUOTA_EXCEEDED' || err.code === 'MODEL_UNPRICED')) {
        await ctx.usage.settle({ id: null, workspaceId: ws, period: '', subjects: [], tokens: 0, costMicros: 0 }, {
          ...ZERO_TOKENS, subjects, requestId: input.requestId ?? null, providerId: null, providerName: null, operation: op, apiFormat: input.apiFormat ?? 'internal',
          model: input.request.model, resolvedModel: null, costMicros: 0, usageSource: 'none', status: 'refused', errorCode: err.code, httpStatus: err.status,
          isStreamed: false, providerLatencyMs: null, overheadMs: Math.round(performance.now() - startedAt), attempts: 0,
        }).catch((e: unknown) => log.error({ err: e }, 'could not record a refused call'));
        ctx.metrics.calls.inc({ operation: op, status: 'refused' });
        log.info({ code: err.code, model: input.request.model }, 'model call refused');
      }
      throw err;
    }
  }

  type Outcome = { target: Target | null; price: Price | null; tokens: TokenCounts; usageSource: UsageRecord['usageSource']; status: UsageRecord['status']; error: AppError | null; providerMs: number | null; attempts: number; isStreamed: boolean };

  /**
   * The call's usage event, written (group-committed, or with its counters); resolves once it is
   * durable. `onMetered` gets the same record earlier, as soon as it is priced (before the write):
   * a caller with work of its own to commit can do it meanwhile.
   */
  async function settle(input: CallInput<{ model: string }>, op: Operation, p: Prepared, o: Outcome, onMetered?: (record: UsageRecord) => void): Promise<UsageRecord> {
    const settleStart = performance.now();
    const costMicros = o.price ? costOf(o.tokens, o.price) : null;
    const event: UsageEventInput = {
      ...o.tokens,
      subjects: { workspaceId: input.principal.workspaceId, apiKeyId: input.principal.apiKeyId, agentId: input.principal.agentId ?? null, userId: input.principal.userId },
      requestId: input.requestId ?? null, providerId: o.target?.providerId ?? null, providerName: o.target?.providerName ?? null, operation: op, apiFormat: input.apiFormat ?? 'internal',
      model: input.request.model, resolvedModel: o.target?.model ?? null,
      // A call that failed before the provider produced anything costs nothing, and says so: priced at 0.
      costMicros: o.tokens.inputTokens + o.tokens.outputTokens === 0 && o.status !== 'ok' ? 0 : costMicros,
      usageSource: o.usageSource, status: o.status, errorCode: o.error?.code ?? null, httpStatus: o.error?.status ?? 200, isStreamed: o.isStreamed,
      providerLatencyMs: o.providerMs === null ? null : Math.round(o.providerMs),
      overheadMs: null, attempts: o.attempts,
    };
    // The gateway's own time: routing and reservation before, metering after (measured up to the insert).
    const overheadMs = p.prepareMs + (performance.now() - settleStart);
    event.overheadMs = Math.round(overheadMs);
    const eventId = uuidv7();
    const record: UsageRecord = {
      eventId, requestId: event.requestId, model: event.model, provider: event.providerName, resolvedModel: event.resolvedModel,
      inputTokens: o.tokens.inputTokens, outputTokens: o.tokens.outputTokens, cachedInputTokens: o.tokens.cachedInputTokens, cacheWriteTokens: o.tokens.cacheWriteTokens, reasoningTokens: o.tokens.reasoningTokens,
      costMicros: event.costMicros, currency: 'USD', pricing: event.costMicros === null ? 'unpriced' : 'priced', usageSource: o.usageSource, status: o.status, isStreamed: o.isStreamed,
      providerLatencyMs: event.providerLatencyMs, overheadMs: event.overheadMs,
    };
    onMetered?.(record);
    await ctx.usage.settle(p.reservation, event, eventId);
    activeSpan()?.addEvent('gen_ai.usage', {
      'gen_ai.request.model': event.model, 'gen_ai.usage.input_tokens': o.tokens.inputTokens, 'gen_ai.usage.output_tokens': o.tokens.outputTokens,
      'atrium.llm.status': o.status, 'atrium.llm.usage_source': o.usageSource, 'atrium.llm.cost_micros': event.costMicros ?? -1, 'atrium.llm.streamed': o.isStreamed,
    });
    ctx.metrics.overhead.observe({ operation: op }, (p.prepareMs + (performance.now() - settleStart)) / 1000);
    ctx.metrics.calls.inc({ operation: op, status: o.status });
    ctx.metrics.tokens.inc({ direction: 'input' }, o.tokens.inputTokens);
    ctx.metrics.tokens.inc({ direction: 'output' }, o.tokens.outputTokens);
    if (o.providerMs !== null && o.target) ctx.metrics.providerLatency.observe({ provider_kind: o.target.kind, operation: op, outcome: o.status }, o.providerMs / 1000);
    p.log.info({ eventId, provider: o.target?.providerName, model: o.target?.model, status: o.status, inputTokens: o.tokens.inputTokens, outputTokens: o.tokens.outputTokens, costMicros: event.costMicros, usageSource: o.usageSource, attempts: o.attempts, providerMs: event.providerLatencyMs, overheadMs: event.overheadMs }, 'model call metered');
    return record;
  }

  /** Try each target in turn while the failure is worth another target. */
  async function withFallbacks<T>(p: Prepared, call: (t: Target) => Promise<T>, op: Operation = 'chat'): Promise<{ value: T; index: number; providerMs: number }> {
    let lastError: unknown = null;
    let providerMs = 0;
    let attempts = 0;
    for (let i = 0; i < p.targets.length; i++) {
      attempts = i + 1;
      const t0 = performance.now();
      try {
        const t = p.targets[i];
        // One CLIENT span per provider attempt (OpenTelemetry's GenAI conventions); a stream's ends when its answer starts.
        const value = await inSpan(`${op} ${t.model}`, () => ({
          'gen_ai.operation.name': op, 'gen_ai.provider.name': t.kind, 'gen_ai.request.model': t.model, 'server.address': hostOf(t.baseUrl), 'atrium.llm.attempt': i + 1,
        }), async (span) => {
          const v = await call(t);
          const usage = (v as { usage?: TokenCounts | null } | null)?.usage;
          if (span && usage) span.setAttributes({ 'gen_ai.usage.input_tokens': usage.inputTokens, 'gen_ai.usage.output_tokens': usage.outputTokens });
          return v;
        }, SpanKind.CLIENT);
        return { value, index: i, providerMs: providerMs + performance.now() - t0 };
      } catch (err) {
        providerMs += performance.now() - t0;
        lastError = err;
        const isRetryable = err instanceof UpstreamError && err.isRetryable;
        p.log.warn({ provider: p.targets[i].providerName, model: p.targets[i].model, attempt: i + 1, status: (err as UpstreamError).status ?? null, kind: (err as UpstreamError).kind ?? null, isFallingBack: isRetryable && i + 1 < p.targets.length }, 'model provider call failed');
        if (!isRetryable) break;
      }
    }
    throw Object.assign(new Error('all targets failed'), { lastError, providerMs, attempts });
  }

  async function failed(input: CallInput<{ model: string }>, op: Operation, p: Prepared, err: unknown, isStreamed: boolean): Promise<never> {
    const inner = (err as { lastError?: unknown }).lastError ?? err;
    const attempts = (err as { attempts?: number }).attempts ?? 1;
    const index = Math.min(p.targets.length - 1, Math.max(0, attempts - 1));
    const appError = gatewayErrorOf(inner, p.targets[index] ?? null);
    await settle(input, op, p, { target: p.targets[index] ?? null, price: p.prices[index] ?? null, tokens: ZERO_TOKENS, usageSource: 'none', status: 'error', error: appError, providerMs: (err as { providerMs?: number }).providerMs ?? null, attempts, isStreamed });
    throw appError;
  }

  async function complete(input: CallInput<ChatRequest>): Promise<{ response: ChatCompletion; usage: UsageRecord }> {
    const req = input.request;
    const p = await prepare(input, 'chat', () => countPromptTokens(req), outputCapOf(req));
    let result: Awaited<ReturnType<typeof withFallbacks<{ response: ChatCompletion; usage: TokenCounts | null }>>>;
    try {
      result = await withFallbacks(p, (t) => ADAPTERS[t.kind].chat(t, req, input.signal));
    } catch (err) {
      return failed(input, 'chat', p, err, false);
    }
    const { response, usage } = result.value;
    const answerText = () => response.choices.map((c) => (c.message.content ?? '') + (c.message.tool_calls ?? []).map((t) => t.function.name + t.function.arguments).join('')).join('');
    const tokens = usage ?? { ...ZERO_TOKENS, inputTokens: p.promptTokens(), outputTokens: countText(answerText()) };
    const record = await settle(input, 'chat', p, { target: p.targets[result.index], price: p.prices[result.index], tokens, usageSource: usage ? 'provider' : 'estimated', status: 'ok', error: null, providerMs: result.providerMs, attempts: result.index + 1, isStreamed: false });
    return { response: { ...response, model: response.model || p.targets[result.index].model }, usage: record };
  }

  async function stream(input: CallInput<ChatRequest>): Promise<ChatStream> {
    const req = input.request;
    const p = await prepare(input, 'chat', () => countPromptTokens(req), outputCapOf(req));
    const abort = new AbortController();
    const signal = input.signal ? AbortSignal.any([input.signal, abort.signal]) : abort.signal;
    const t0 = performance.now();
    let opened: { value: AsyncIterable<StreamPart>; index: number; providerMs: number };
    try {
      opened = await withFallbacks(p, (t) => ADAPTERS[t.kind].chatStream(t, req, signal));
    } catch (err) {
      return failed(input, 'chat', p, err, true);
    }
    const target = p.targets[opened.index];
    const price = p.prices[opened.index];
    const isUsageWanted = req.stream_options?.include_usage === true;
    let resolveUsage!: (u: UsageRecord) => void;
    let rejectUsage!: (e: unknown) => void;
    const usage = new Promise<UsageRecord>((resolve, reject) => { resolveUsage = resolve; rejectUsage = reject; });
    usage.catch(() => {}); // observed by whoever awaits it; never an unhandled rejection
    let resolveMetered!: (u: UsageRecord) => void;
    let rejectMetered!: (e: unknown) => void;
    const metered = new Promise<UsageRecord>((resolve, reject) => { resolveMetered = resolve; rejectMetered = reject; });
    metered.catch(() => {});

    async function* chunks(): AsyncGenerator<ChatChunk> {
      let tokens: TokenCounts | null = null;
      let produced = '';
      let last: ChatChunk | null = null;
      let status: UsageRecord['status'] = 'ok';
      let error: AppError | null = null;
      let isFinished = false;
      try {
        for await (const part of opened.value) {
          if (part.usage) tokens = part.usage;
          const chunk = part.chunk;
          if (!chunk || !Array.isArray(chunk.choices) || chunk.choices.length === 0) continue; // usage-only chunk: re-emitted at the end when asked for
          for (const c of chunk.choices) {
            if (c.delta?.content) produced += c.delta.content;
            for (const call of c.delta?.tool_calls ?? []) produced += (call.function?.name ?? '') + (call.function?.arguments ?? '');
          }
          const { usage: _u, ...clean } = chunk;
          last = clean;
          yield clean;
        }
        if (isUsageWanted) {
          const counted = tokens ?? { ...ZERO_TOKENS, inputTokens: p.promptTokens(), outputTokens: countText(produced) };
          yield {
            id: last?.id ?? `chatcmpl-${Date.now()}`, object: 'chat.completion.chunk', created: last?.created ?? Math.floor(Date.now() / 1000), model: last?.model ?? target.model, choices: [],
            usage: { prompt_tokens: counted.inputTokens, completion_tokens: counted.outputTokens, total_tokens: counted.inputTokens + counted.outputTokens, prompt_tokens_details: { cached_tokens: counted.cachedInputTokens }, completion_tokens_details: { reasoning_tokens: counted.reasoningTokens } },
          };
        }
        isFinished = true;
      } catch (err) {
        if (abort.signal.aborted || input.signal?.aborted) status = 'client_closed';
        else {
          status = 'error';
          error = gatewayErrorOf(err, target);
        }
        if (status === 'error') throw error;
      } finally {
        // Reached on completion, on an error, and when the consumer stops iterating (a client
        // that went away): the provider is told to stop, and what it produced is metered.
        // The consumer stopped iterating before the end (a client that went away).
        if (status === 'ok' && !isFinished) status = 'client_closed';
        abort.abort();
        const counted = tokens ?? { ...ZERO_TOKENS, inputTokens: p.promptTokens(), outputTokens: countText(produced) };
        settle(input, 'chat', p, { target, price, tokens: counted, usageSource: tokens ? 'provider' : 'estimated', status, error, providerMs: performance.now() - t0, attempts: opened.index + 1, isStreamed: true }, resolveMetered)
          .then(resolveUsage, (e: unknown) => { p.log.error({ err: e }, 'could not meter a streamed call'); rejectMetered(e); rejectUsage(e); });
      }
    }
    const iterator = chunks();
    return Object.assign({ [Symbol.asyncIterator]: () => iterator }, { model: target.model, usage, metered, abort: () => abort.abort() });
  }

  async function embed(input: CallInput<EmbeddingsRequest>): Promise<{ response: EmbeddingsResponse; usage: UsageRecord }> {
    const p = await prepare(input, 'embeddings', () => countEmbeddingInput(input.request), 0);
    let result: Awaited<ReturnType<typeof withFallbacks<{ response: EmbeddingsResponse; usage: TokenCounts | null }>>>;
    try {
      result = await withFallbacks(p, (t) => ADAPTERS[t.kind].embeddings(t, input.request, input.signal), 'embeddings');
    } catch (err) {
      return failed(input, 'embeddings', p, err, false);
    }
    const tokens = result.value.usage ?? { ...ZERO_TOKENS, inputTokens: p.promptTokens() };
    const record = await settle(input, 'embeddings', p, { target: p.targets[result.index], price: p.prices[result.index], tokens, usageSource: result.value.usage ? 'provider' : 'estimated', status: 'ok', error: null, providerMs: result.providerMs, attempts: result.index + 1, isStreamed: false });
    return { response: result.value.response, usage: record };
  }

  return { complete, stream, embed };
}

export type Gateway = ReturnType<typeof createGateway>;
