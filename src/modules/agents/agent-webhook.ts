// Per-agent webhooks (brief 000 S8.5). The webhooks module verifies the Standard Webhooks
// signature and claims (agent, webhook-id) in its idempotency store; in that same transaction
// `queueWebhookRun` records a queued run and its job, so a duplicate, even racing the first,
// never starts a second run and gets the first answer. The job runs the published version as
// the agent's service identity. The HTTP side (`waitForRun`): in sync mode the answer comes in
// the response, or, when the run outlasts the wait, a 202 naming the run and where its answer
// goes; in async mode a 202 at once. Every answer also goes to the agent's callback URL, when
// it has one, through the outbound webhook machinery (signed, retried).
import type { Tx } from '../../kernel/db/database.ts';
import type { JobContext } from '../../kernel/jobs/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { AgentsContext } from './agents.context.ts';
import { agentsErrors } from './agents.errors.ts';
import type { AgentConfig, RunView } from './agents.schema.ts';
import { finishRun, insertLogs, insertQueuedRun, selectAgent, selectRunOutcome, selectRunStatus } from './agents.store.ts';
import { runAgent } from './run-agent.ts';

export const RUN_QUEUE = 'agents.run';
const MAX_PAYLOAD = 64 * 1024;

export type WebhookRunPayload = { runId: string; agentId: string; version: number; deliveryId: string; webhookId: string; message: string; replayId: string | null };
export type RunOutcome = { runId: string; status: RunView['status']; message: string | null; error: { code: string; message: string } | null };

/** The principal of a run no user started: the agent's service role, nothing more. */
export function servicePrincipal(workspaceId: string, role: 'admin' | 'member' | 'viewer'): Principal {
  return { kind: 'api_key', userId: null, apiKeyId: null, workspaceId, sessionId: null, isPlatformAdmin: false, role };
}

/** What the model reads: the delivery's id and its payload (JSON pretty-printed). */
export function messageOf(webhookId: string, payload: unknown): string {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload, null, 2);
  return `A webhook delivery arrived (webhook-id ${webhookId}). Its payload:\n\n${body}`;
}

/** In the delivery's transaction: the queued run, its log line and its job. */
export async function queueWebhookRun(ctx: AgentsContext, tx: Tx, t: { workspaceId: string; agentId: string; deliveryId: string; webhookId: string; payload: unknown; replayId: string | null }): Promise<{ runId: string }> {
  const ws = t.workspaceId;
  const agent = await selectAgent(tx, ws, t.agentId);
  if (!agent) throw agentsErrors.create('AGENT_NOT_FOUND');
  if (agent.published_version === null) throw agentsErrors.create('AGENT_NOT_PUBLISHED', 'Publish the agent first: its webhook runs the published version');
  const message = messageOf(t.webhookId, t.payload);
  if (Buffer.byteLength(message) > MAX_PAYLOAD) throw agentsErrors.create('AGENT_WEBHOOK_PAYLOAD_TOO_LARGE', `An agent takes payloads up to ${MAX_PAYLOAD / 1024} KiB of text`);
  const runId = await insertQueuedRun(tx, ws, { agentId: t.agentId, version: agent.published_version, deliveryId: t.deliveryId });
  await insertLogs(tx, ws, t.agentId, [{ runId, level: 'info', type: 'webhook_received', message: `Webhook ${t.webhookId}${t.replayId ? ' (replay)' : ''} received: run queued` }]);
  await ctx.jobs.enqueue<WebhookRunPayload>(tx, RUN_QUEUE, { runId, agentId: t.agentId, version: agent.published_version, deliveryId: t.deliveryId, webhookId: t.webhookId, message, replayId: t.replayId }, {
    workspaceId: ws, actor: { type: 'system', id: null },
  });
  return { runId };
}

function answerOf(run: RunView, message: string | null, p: WebhookRunPayload) {
  return { agentId: p.agentId, runId: run.id, deliveryId: p.deliveryId, webhookId: p.webhookId, status: run.status, message, error: run.error, inputTokens: run.inputTokens, outputTokens: run.outputTokens, costMicros: run.costMicros };
}

/** The job: run the queued run once, as the agent's service identity; its answer to the callback. */
export function webhookRunJob(ctx: AgentsContext) {
  return async (job: JobContext<WebhookRunPayload>): Promise<void> => {
    const p = job.payload;
    const ws = job.workspaceId!;
    // The three reads leave together (one round trip).
    const loaded = await ctx.db.withWorkspace(ws, async (tx) => {
      const [agent, { rows }, status] = await Promise.all([
        selectAgent(tx, ws, p.agentId),
        tx.query<{ config: AgentConfig }>({ name: 'agents_version_config', text: 'select config from agent_versions where workspace_id = $1 and agent_id = $2 and version = $3', values: [ws, p.agentId, p.version] }),
        selectRunStatus(tx, ws, p.runId),
      ]);
      return agent ? { agent, config: rows[0]?.config ?? null, status } : null;
    });
    if (!loaded || !loaded.config || loaded.status === null) return; // the agent (and its runs) were deleted
    if (loaded.status !== 'queued') {
      // An earlier attempt took the run and was interrupted (a crash): its tools may have acted,
      // so it is not run again; it ends failed, and the callback is told.
      if (loaded.status !== 'running') return;
      await ctx.db.withWorkspace(ws, async (tx) => {
        const run = await finishRun(tx, ws, p.runId, {
          status: 'failed', steps: [], inputTokens: 0, outputTokens: 0, costMicros: 0, unpricedCalls: 0, modelCalls: 0, toolCalls: 0,
          error: { code: 'AGENT_RUN_INTERRUPTED', message: 'The process running it stopped; the run was not started again' }, latencyMs: 0,
        });
        await insertLogs(tx, ws, p.agentId, [{ runId: p.runId, level: 'error', type: 'error', message: 'Run interrupted (its process stopped); not started again' }]);
        await ctx.webhooks?.deliverAnswer(tx, ws, p.agentId, answerOf(run, null, p));
        ctx.finished.emit(p.runId, { run, message: null });
      });
      return;
    }
    await runAgent(ctx, {
      agentId: p.agentId, version: p.version, config: loaded.config, principal: servicePrincipal(ws, loaded.agent.service_role),
      trigger: 'webhook', threadId: null, message: p.message, queuedRunId: p.runId, signal: job.signal,
      onFinished: async (tx, run, message) => { await ctx.webhooks?.deliverAnswer(tx, ws, p.agentId, answerOf(run, message, p)); },
    });
  };
}

/**
 * The run's outcome once it has ended, or null after `waitMs`. Woken at once by a run ending in
 * this process; a run on another process is seen by polling (every 500 ms).
 */
export async function waitForRun(ctx: AgentsContext, workspaceId: string, runId: string, waitMs: number): Promise<RunOutcome | null> {
  const read = async (): Promise<RunOutcome | null> => {
    const o = await ctx.db.withWorkspace(workspaceId, (tx) => selectRunOutcome(tx, workspaceId, runId));
    if (!o || o.status === 'queued' || o.status === 'running') return null;
    return { runId, status: o.status, message: o.message, error: (o.error as RunOutcome['error']) ?? null };
  };
  return new Promise<RunOutcome | null>((resolve) => {
    let isDone = false;
    const finish = (value: RunOutcome | null) => {
      if (isDone) return;
      isDone = true;
      ctx.finished.off(runId, onEnd);
      clearTimeout(timer);
      clearInterval(poll);
      resolve(value);
    };
    const check = () => { void read().then((o) => { if (o) finish(o); }, () => {}); };
    const onEnd = (e: { run: RunView; message: string | null }) => finish({ runId, status: e.run.status, message: e.message, error: e.run.error });
    ctx.finished.on(runId, onEnd);
    const timer = setTimeout(() => finish(null), waitMs);
    const poll = setInterval(check, 500);
    check(); // it may have ended before we listened
  });
}
