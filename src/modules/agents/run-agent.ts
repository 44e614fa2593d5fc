// The agent runtime: one run answers one message. The context is the agent's system prompt, the
// memories its policy recalls for the message, the thread's recent history and the message; the
// model (through the gateway: metered and budgeted to the workspace and the agent) answers or
// calls tools from the registry, which run as the run's principal (the user chatting: the same
// `can()` decides); their results go back to the model, until a final answer or a limit (steps,
// tokens, time). Everything is recorded: the thread's messages, the run (each step, tool inputs
// and outputs capped at 8 KiB, tokens, cost, latency, error) and the agent's log.
import type { Principal } from '../../kernel/http/principal.ts';
import { AppError } from '../../kernel/errors.ts';
import type { ChatMessage, ToolCall, ToolDefinition as LlmTool, UsageRecord } from '../llm/index.ts';
import type { AgentsContext } from './agents.context.ts';
import type { AgentConfig, RunView, Step } from './agents.schema.ts';
import type { Tx } from '../../kernel/db/database.ts';
import { agentsErrors } from './agents.errors.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import { checkChatState, finishRun, insertLogs, insertMessages, insertRun, insertThread, selectMessages, startQueuedRun } from './agents.store.ts';
import type { LogEntry } from './agents.store.ts';
import type { ChatDefinition } from './chat-definitions.ts';

export type RunEvent =
  | { type: 'run'; runId: string; threadId: string; version: number | null }
  | { type: 'memory_recall'; count: number; memories: Array<{ id: string; text: string; score: number }> }
  | { type: 'token'; text: string }
  | { type: 'tool_call'; callId: string; tool: string; input: unknown }
  | { type: 'tool_result'; callId: string; tool: string; ok: boolean; output?: unknown; error?: { code: string; message: string } }
  | { type: 'confirm_required'; callId: string; tool: string; input: unknown }
  | { type: 'message'; text: string }
  | { type: 'done'; run: RunView };

export type RunInput = {
  agentId: string;
  version: number | null;
  config: AgentConfig;
  principal: Principal;
  trigger: 'chat' | 'api' | 'webhook' | 'workflow';
  threadId: string | null;
  /** The user's message; null resumes the thread's run awaiting confirmation (with `decisions`). */
  message: string | null;
  /** Resume: approve (true) or decline (false) each pending tool call by id; an undecided one is declined. */
  decisions?: Record<string, boolean>;
  /** Stop before any tool that changes data until the user approves it (the console assistant). */
  confirmMutating?: boolean;
  /** The channel the tools are called through (the audit trail's user agent). */
  via?: 'agent' | 'assistant' | 'workflow';
  signal?: AbortSignal;
  onEvent?: (e: RunEvent) => void;
  /** A run already queued (by a webhook delivery): taken once, else the run throws RUN_ALREADY_STARTED. */
  queuedRunId?: string;
  /** Work in the run's last transaction (e.g. the answer to a webhook's callback). */
  onFinished?: (tx: Tx, run: RunView, message: string | null) => Promise<void>;
  /**
   * `version` and `config` came from the process's cache (chat-definitions.ts): the opening
   * transaction checks the agent's row still has this stamp; if not, `reload` reads it again and
   * the run starts over with what it returns.
   */
  cached?: ChatDefinition['cached'];
};

/** The agent changed since the cached copy was read (caught by runAgent, which reloads it). */
class StaleDefinition extends Error {}

const HISTORY = 40;

type PendingCall = { id: string; name: string; arguments: string };

/** Tool calls of the thread's last assistant message that have no result yet (awaiting confirmation). */
function pendingCalls(history: Array<{ role: string; tool_calls: Array<{ id: string; name: string; arguments: string }> | null; tool_call_id: string | null }>): PendingCall[] {
  const lastCalls = history.findLastIndex((m) => m.role === 'assistant' && (m.tool_calls?.length ?? 0) > 0);
  if (lastCalls < 0) return [];
  const answered = new Set(history.slice(lastCalls + 1).filter((m) => m.role === 'tool').map((m) => m.tool_call_id));
  return (history[lastCalls].tool_calls ?? []).filter((c) => !answered.has(c.id));
}

const refusal = (code: string, message: string) => JSON.stringify({ error: { code, message } });
const CAP = 8 * 1024;

/** A value for the run record, at most 8 KiB of JSON. */
function capped(value: unknown): { value: unknown; isTruncated: boolean } {
  const text = JSON.stringify(value ?? null);
  if (text.length <= CAP) return { value, isTruncated: false };
  return { value: `${text.slice(0, CAP)}…`, isTruncated: true };
}

const errorOf = (err: unknown): { code: string; message: string } => (err instanceof AppError
  ? { code: err.code, message: err.detail ?? err.title }
  : { code: 'AGENT_RUN_FAILED', message: 'The run failed' });

export async function runAgent(ctx: AgentsContext, input: RunInput): Promise<{ run: RunView; threadId: string; message: string | null }> {
  try {
    return await runOnce(ctx, input);
  } catch (err) {
    if (!(err instanceof StaleDefinition) || !input.cached) throw err;
    // Nothing of the first attempt was kept (its transaction rolled back); nothing was sent to a model.
    return runOnce(ctx, { ...input, ...(await input.cached.reload()), cached: undefined });
  }
}

async function runOnce(ctx: AgentsContext, input: RunInput): Promise<{ run: RunView; threadId: string; message: string | null }> {
  const ws = input.principal.workspaceId;
  const startedAt = performance.now();
  const emit = (e: RunEvent) => { try { input.onEvent?.(e); } catch { /* a listener's fault never stops the run */ } };
  const limits = input.config.limits;

  // Long-term memory for the message (its policy): the query's embedding first (when the
  // workspace names an embedding model), then the recall in the opening transaction.
  const asked = input.message;
  const isRecalling = input.config.memory.mode === 'recall' && asked !== null;
  const embedStarted = performance.now();
  const vector = isRecalling ? await ctx.memory.embedQuery(ws, asked.slice(0, 500), input.signal) : null;
  const embedMs = performance.now() - embedStarted;

  // The thread, the user's message and the run row, before anything is sent to a model. Two
  // round trips: the ids are minted here, so the thread (or its history), the run, its first log
  // line and the recall leave together; then the messages, which depend on the history.
  const opened = await ctx.db.withWorkspace(ws, async (tx) => {
    if (input.message === null && !input.threadId) throw agentsErrors.create('RUN_NOT_AWAITING', 'Name the conversation to resume');
    const threadId = input.threadId ?? uuidv7();
    const runId = input.queuedRunId ?? uuidv7();
    const recallStarted = performance.now();
    // Sent first: the cached definition still current, the thread the agent's. A statement below
    // may fail because of either (a thread of another agent or workspace: a foreign key), so the
    // answer is read before any other error is believed.
    const state = input.cached || input.threadId ? checkChatState(tx, ws, input.agentId, input.cached?.stamp ?? null, input.threadId) : Promise.resolve({ isCurrent: true, isThreadKnown: true });
    const refusalOf = (s: { isCurrent: boolean; isThreadKnown: boolean } | null) => (!s ? null : !s.isCurrent ? new StaleDefinition() : !s.isThreadKnown ? agentsErrors.create('THREAD_NOT_FOUND') : null);
    const first = Promise.all([
      input.threadId ? selectMessages(tx, ws, threadId, HISTORY) : insertThread(tx, ws, threadId, input.agentId, (input.message ?? '').slice(0, 80), input.principal.userId).then(() => []),
      input.queuedRunId
        ? startQueuedRun(tx, ws, runId, threadId)
        : insertRun(tx, ws, { id: runId, agentId: input.agentId, version: input.version, threadId, trigger: input.trigger, actorUserId: input.principal.userId, actorKeyId: input.principal.apiKeyId }).then(() => true),
      insertLogs(tx, ws, input.agentId, [{ runId, level: 'info', type: 'run_started', message: `Run started (${input.trigger}${input.version ? `, version ${input.version}` : ', draft'})` }]),
      // An external memory provider that does not answer leaves the run without memories (logged), never failed.
      isRecalling
        ? ctx.memory.recall(tx, ws, input.agentId, { query: asked.slice(0, 500), limit: input.config.memory.topK, tags: input.config.memory.tags, vector }).catch(async (err: unknown) => {
          if ((err as { code?: string }).code !== 'MEMORY_PROVIDER_UNAVAILABLE') throw err;
          await insertLogs(tx, ws, input.agentId, [{ runId, level: 'warn', type: 'memory_recall', message: `Memory recall skipped: ${(err as Error).message}` }]);
          return [];
        })
        : null,
    ]);
    let results: Awaited<typeof first>;
    try {
      results = await first;
    } catch (err) {
      throw refusalOf(await state.catch(() => null)) ?? err;
    }
    const stateRefusal = refusalOf(await state);
    if (stateRefusal) throw stateRefusal;
    const [history, isStarted, , memories] = results;
    const recallMs = embedMs + performance.now() - recallStarted;
    // A refusal below rolls all of it back.
    if (!isStarted) throw agentsErrors.create('RUN_ALREADY_STARTED');
    // Calls left awaiting confirmation: resumed (those approved run below), or closed as not
    // confirmed when the user moves on, so the history a model reads always pairs calls and results.
    const pending = pendingCalls(history);
    if (input.message === null && pending.length === 0) throw agentsErrors.create('RUN_NOT_AWAITING');
    const approved = input.message === null ? pending.filter((c) => input.decisions?.[c.id] === true) : [];
    const closing = pending.filter((c) => !approved.includes(c)).map((c) => ({
      role: 'tool', toolCallId: c.id,
      content: input.message === null ? refusal('DECLINED_BY_USER', 'The user declined this action') : refusal('NOT_CONFIRMED', 'The user moved on without confirming this action'),
    }));
    await insertMessages(tx, ws, threadId, runId, [...closing, ...(input.message !== null ? [{ role: 'user', content: input.message }] : [])]);
    history.push(...closing.map((c) => ({ id: '', role: 'tool' as const, content: c.content, run_id: null, tool_calls: null, tool_call_id: c.toolCallId, created_at: new Date() })));
    return { threadId, runId, history, approved, memories, recallMs };
  });
  const { threadId, runId } = opened;
  emit({ type: 'run', runId, threadId, version: input.version });

  const controller = new AbortController();
  ctx.running.set(runId, controller);
  const timeout = AbortSignal.timeout(limits.runTimeoutMs);
  const signal = AbortSignal.any([controller.signal, timeout, ...(input.signal ? [input.signal] : [])]);

  const steps: Step[] = [];
  /** The usage events of the run's model calls, being written. */
  const durable: Array<Promise<UsageRecord>> = [];
  const logs: LogEntry[] = [];
  const added: Array<{ role: string; content: string; toolCalls?: unknown; toolCallId?: string | null }> = [];
  const totals = { inputTokens: 0, outputTokens: 0, costMicros: 0, unpricedCalls: 0, modelCalls: 0, toolCalls: 0 };
  let status: RunView['status'] = 'completed';
  let error: { code: string; message: string } | null = null;
  let final: string | null = null;

  try {
    const system: string[] = [input.config.systemPrompt];
    const memories = opened.memories;
    if (memories) {
      steps.push({ type: 'memory_recall', at: new Date().toISOString(), ms: Math.round(opened.recallMs), count: memories.length });
      logs.push({ runId, level: 'info', type: 'memory_recall', message: `Recalled ${memories.length} memor${memories.length === 1 ? 'y' : 'ies'}` });
      emit({ type: 'memory_recall', count: memories.length, memories: memories.map((m) => ({ id: m.id, text: m.text, score: m.score })) });
      if (memories.length) system.push(`What you remember that may be relevant (from long-term memory):\n${memories.map((m) => `- ${m.text}`).join('\n')}`);
    }
    const tools = await ctx.tools.resolve(ws, input.config.tools);
    const byName = new Map(tools.map((t) => [t.name, t]));
    const llmTools: LlmTool[] = tools.map((t) => ({ type: 'function', function: { name: t.name.replace(/\./g, '__'), description: t.description, parameters: t.inputSchema } }));
    const byWireName = new Map(tools.map((t) => [t.name.replace(/\./g, '__'), t.name]));
    /** One tool call: run as the principal (or left pending when it changes data and needs the user's approval). */
    const runCall = async (call: { id: string; wireName: string; arguments: string }, o: { isConfirmed: boolean }): Promise<'done' | 'pending'> => {
      const name = byWireName.get(call.wireName) ?? call.wireName;
      let args: unknown;
      try {
        args = call.arguments ? JSON.parse(call.arguments) : {};
      } catch {
        args = undefined;
      }
      emit({ type: 'tool_call', callId: call.id, tool: name, input: args ?? call.arguments });
      if (input.confirmMutating && !o.isConfirmed && args !== undefined && byName.get(name)?.isMutating && byWireName.has(call.wireName)) {
        emit({ type: 'confirm_required', callId: call.id, tool: name, input: args });
        steps.push({ type: 'tool', at: new Date().toISOString(), ms: 0, tool: name, callId: call.id, input: capped(args).value, output: null, isTruncated: false, error: { code: 'AWAITING_CONFIRMATION', message: 'Waiting for the user to approve' } });
        logs.push({ runId, level: 'info', type: 'tool_call', message: `${name} awaits the user's approval` });
        return 'pending';
      }
      const outcome = args === undefined
        ? { ok: false as const, error: { code: 'TOOL_INPUT_INVALID' as const, message: 'The arguments are not valid JSON' }, ms: 0 }
        : byWireName.has(call.wireName)
          ? await ctx.tools.invoke(name, args, { db: ctx.db, principal: input.principal, workspaceId: ws, agentId: input.agentId, runId, signal, via: input.via ?? 'agent' })
          : { ok: false as const, error: { code: 'TOOL_UNKNOWN' as const, message: `${name} is not one of this agent's tools` }, ms: 0 };
      totals.toolCalls++;
      const shownInput = capped(args ?? call.arguments);
      const shownOutput = capped(outcome.ok ? outcome.output : null);
      steps.push({
        type: 'tool', at: new Date().toISOString(), ms: outcome.ms, tool: name, callId: call.id, input: shownInput.value, output: shownOutput.value,
        isTruncated: shownInput.isTruncated || shownOutput.isTruncated, error: outcome.ok ? null : outcome.error,
      });
      logs.push({ runId, level: outcome.ok ? 'info' : 'warn', type: 'tool_call', message: outcome.ok ? `${name} answered in ${outcome.ms} ms` : `${name} refused: ${outcome.error.code} ${outcome.error.message}` });
      emit(outcome.ok ? { type: 'tool_result', callId: call.id, tool: name, ok: true, output: outcome.output } : { type: 'tool_result', callId: call.id, tool: name, ok: false, error: outcome.error });
      const content = JSON.stringify(outcome.ok ? outcome.output : { error: outcome.error });
      messages.push({ role: 'tool', tool_call_id: call.id, content });
      added.push({ role: 'tool', content, toolCallId: call.id });
      return 'done';
    };
    const messages: ChatMessage[] = [
      { role: 'system', content: system.join('\n\n') },
      ...opened.history.map((m): ChatMessage => (m.role === 'tool'
        ? { role: 'tool', tool_call_id: m.tool_call_id ?? '', content: m.content }
        : m.role === 'assistant' && m.tool_calls?.length
          ? { role: 'assistant', content: m.content || null, tool_calls: m.tool_calls.map((c) => ({ id: c.id, type: 'function', function: { name: c.name.replace(/\./g, '__'), arguments: c.arguments } })) }
          : { role: m.role, content: m.content })),
      ...(input.message !== null ? [{ role: 'user' as const, content: input.message }] : []),
    ];
    // Resumed: the calls the user approved run now, as the user, then the model goes on.
    for (const call of opened.approved) {
      const outcome = await runCall({ id: call.id, wireName: call.name.replace(/\./g, '__'), arguments: call.arguments }, { isConfirmed: true });
      if (outcome === 'pending') break;
    }

    for (let step = 0; ; step++) {
      if (step >= limits.maxSteps) {
        status = 'limit_reached';
        error = { code: 'AGENT_MAX_STEPS', message: `The run reached its limit of ${limits.maxSteps} model calls without a final answer` };
        break;
      }
      const t0 = performance.now();
      const stream = await ctx.llm.stream({
        principal: { workspaceId: ws, userId: input.principal.userId, apiKeyId: input.principal.apiKeyId, agentId: input.agentId },
        request: {
          model: input.config.model, messages, stream: true, stream_options: { include_usage: true },
          ...(llmTools.length ? { tools: llmTools } : {}),
          ...(input.config.temperature !== undefined ? { temperature: input.config.temperature } : {}),
          ...(input.config.maxOutputTokens !== undefined ? { max_tokens: input.config.maxOutputTokens } : {}),
        },
        requestId: runId, apiFormat: 'internal', signal,
      });
      let text = '';
      const calls = new Map<number, { id: string; name: string; arguments: string }>();
      try {
        for await (const chunk of stream) {
          const delta = chunk.choices[0]?.delta;
          if (!delta) continue;
          if (delta.content) {
            text += delta.content;
            emit({ type: 'token', text: delta.content });
          }
          for (const c of delta.tool_calls ?? []) {
            const call = calls.get(c.index) ?? { id: '', name: '', arguments: '' };
            if (c.id) call.id = c.id;
            if (c.function?.name) call.name += c.function.name;
            if (c.function?.arguments) call.arguments += c.function.arguments;
            calls.set(c.index, call);
          }
        }
      } finally {
        // Priced now; its event is made durable while the run goes on (awaited with the run's close).
        const usage: UsageRecord = await stream.metered;
        durable.push(stream.usage);
        totals.modelCalls++;
        totals.inputTokens += usage.inputTokens;
        totals.outputTokens += usage.outputTokens;
        if (usage.costMicros === null) totals.unpricedCalls++;
        else totals.costMicros += usage.costMicros;
        steps.push({ type: 'model', at: new Date().toISOString(), ms: Math.round(performance.now() - t0), model: usage.resolvedModel ?? input.config.model, inputTokens: usage.inputTokens, outputTokens: usage.outputTokens, costMicros: usage.costMicros });
        logs.push({ runId, level: 'info', type: 'model_call', message: `${usage.provider ?? '?'}/${usage.resolvedModel ?? input.config.model}: ${usage.inputTokens} in, ${usage.outputTokens} out`, tokens: usage.inputTokens + usage.outputTokens });
      }
      const toolCalls: ToolCall[] = [...calls.values()].map((c, i) => ({ id: c.id || `call_${step}_${i}`, type: 'function', function: { name: c.name, arguments: c.arguments } }));
      if (toolCalls.length === 0) {
        final = text;
        added.push({ role: 'assistant', content: text });
        emit({ type: 'message', text });
        break;
      }
      messages.push({ role: 'assistant', content: text || null, tool_calls: toolCalls });
      added.push({ role: 'assistant', content: text, toolCalls: toolCalls.map((c) => ({ id: c.id, name: byWireName.get(c.function.name) ?? c.function.name, arguments: c.function.arguments })) });
      let isAwaiting = false;
      for (const call of toolCalls) {
        if ((await runCall({ id: call.id, wireName: call.function.name, arguments: call.function.arguments }, { isConfirmed: false })) === 'pending') isAwaiting = true;
      }
      if (isAwaiting) {
        status = 'awaiting_confirmation';
        break;
      }
      if (totals.inputTokens + totals.outputTokens >= limits.maxTokensPerRun) {
        status = 'limit_reached';
        error = { code: 'AGENT_MAX_TOKENS', message: `The run used ${totals.inputTokens + totals.outputTokens} tokens, its limit is ${limits.maxTokensPerRun}` };
        break;
      }
    }
  } catch (err) {
    if (controller.signal.aborted || input.signal?.aborted) {
      status = 'cancelled';
      error = { code: 'AGENT_RUN_CANCELLED', message: 'The run was cancelled' };
    } else if (timeout.aborted) {
      status = 'limit_reached';
      error = { code: 'AGENT_RUN_TIMEOUT', message: `The run took longer than ${limits.runTimeoutMs} ms` };
    } else {
      status = 'failed';
      error = errorOf(err);
      if (!(err instanceof AppError)) ctx.log.error({ err, runId, agentId: input.agentId, workspaceId: ws }, 'agent run failed');
    }
  } finally {
    ctx.running.delete(runId);
  }

  const latencyMs = Math.round(performance.now() - startedAt);
  logs.push({
    runId, level: status === 'completed' || status === 'awaiting_confirmation' ? 'info' : status === 'failed' ? 'error' : 'warn', type: status === 'failed' ? 'error' : 'run_ended',
    message: status === 'completed' ? `Run completed in ${latencyMs} ms` : `Run ${status.replace('_', ' ')}: ${error?.message ?? ''}`, tokens: totals.inputTokens + totals.outputTokens,
  });
  const closing = ctx.db.withWorkspace(ws, async (tx) => {
    // One round trip: the three are independent and leave together.
    const [, , finished] = await Promise.all([
      insertMessages(tx, ws, threadId, runId, added),
      insertLogs(tx, ws, input.agentId, logs),
      finishRun(tx, ws, runId, { status, steps, ...totals, error, latencyMs }),
    ]);
    await input.onFinished?.(tx, finished, final);
    return finished;
  });
  // Nothing is answered before the run's usage events are durable (an answered call is a metered
  // call); they were being written while the run went on and closed.
  const [closed, metering] = await Promise.allSettled([closing, Promise.all(durable)]);
  if (closed.status === 'rejected') throw closed.reason;
  if (metering.status === 'rejected') throw metering.reason;
  const run = closed.value;
  ctx.finished.emit(runId, { run, message: final });
  emit({ type: 'done', run });
  return { run, threadId, message: final };
}
