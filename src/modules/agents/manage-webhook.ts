// An agent's webhook settings: on/off, mode (sync/async), how long a sync response waits, the
// callback URL for answers; its secret (shown once) and rotation. The endpoint and the callback
// live in the webhooks module (ids = the agent's); mode and wait are the agent's own columns.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { AgentWebhookState } from '../webhooks/index.ts';
import type { AgentsContext, AgentWebhooksPort } from './agents.context.ts';
import { agentsErrors } from './agents.errors.ts';
import type { AgentRow } from './agents.store.ts';
import { selectAgent, setWebhookSettings } from './agents.store.ts';
import type { WebhookSettings } from './agents.schema.ts';

export type WebhookSettingsInput = { isEnabled?: boolean; mode?: 'sync' | 'async'; waitSeconds?: number; callbackUrl?: string | null };

function port(ctx: AgentsContext): AgentWebhooksPort {
  if (!ctx.webhooks) throw new Error('agents: the webhooks port is not wired');
  return ctx.webhooks;
}

function viewOf(agent: AgentRow, state: AgentWebhookState): WebhookSettings {
  return {
    isSet: state.endpoint !== null, isEnabled: state.endpoint?.isEnabled ?? false, url: state.endpoint?.url ?? null,
    mode: agent.webhook_mode, waitSeconds: Math.round(agent.webhook_wait_ms / 1000),
    callbackUrl: state.callback?.url ?? null, callbackIsEnabled: state.callback ? state.callback.isEnabled : null,
    hasPreviousSecret: state.endpoint?.hasPreviousSecret ?? false, secretRotatedAt: state.endpoint?.secretRotatedAt ?? null,
  };
}

export async function getWebhookSettings(ctx: AgentsContext, principal: Principal, agentId: string): Promise<WebhookSettings> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const agent = await selectAgent(tx, ws, agentId);
    if (!agent) throw agentsErrors.create('AGENT_NOT_FOUND');
    return viewOf(agent, await port(ctx).state(tx, ws, agentId));
  });
}

export async function putWebhookSettings(ctx: AgentsContext, principal: Principal, audit: AuditContext, agentId: string, input: WebhookSettingsInput): Promise<WebhookSettings> {
  const ws = principal.workspaceId;
  const webhooks = port(ctx);
  return ctx.db.withWorkspace(ws, async (tx) => {
    const before = await selectAgent(tx, ws, agentId, true);
    if (!before) throw agentsErrors.create('AGENT_NOT_FOUND');
    const beforeState = await webhooks.state(tx, ws, agentId);
    const mode = input.mode ?? before.webhook_mode;
    const waitMs = input.waitSeconds === undefined ? before.webhook_wait_ms : input.waitSeconds * 1000;
    await setWebhookSettings(tx, ws, agentId, { mode, waitMs });
    const { secret } = await webhooks.ensureEndpoint(tx, ws, before, { isEnabled: input.isEnabled ?? true, createdBy: principal.userId });
    const callback = input.callbackUrl === undefined ? { secret: null } : await webhooks.setCallback(tx, ws, before, input.callbackUrl, principal.userId);
    const after = (await selectAgent(tx, ws, agentId))!;
    const view = viewOf(after, await webhooks.state(tx, ws, agentId));
    const shown = (v: WebhookSettings) => ({ isEnabled: v.isEnabled, mode: v.mode, waitSeconds: v.waitSeconds, callbackUrl: v.callbackUrl });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: beforeState.endpoint ? 'agent.webhook_updated' : 'agent.webhook_created', targetType: 'agent', targetId: agentId,
      diff: { before: beforeState.endpoint ? shown(viewOf(before, beforeState)) : null, after: shown(view) },
    });
    return { ...view, ...(secret ? { secret } : {}), ...(callback.secret ? { callbackSecret: callback.secret } : {}) };
  });
}

export async function removeWebhook(ctx: AgentsContext, principal: Principal, audit: AuditContext, agentId: string): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const agent = await selectAgent(tx, ws, agentId, true);
    if (!agent) throw agentsErrors.create('AGENT_NOT_FOUND');
    const state = await port(ctx).state(tx, ws, agentId);
    if (!state.endpoint && !state.callback) throw agentsErrors.create('AGENT_WEBHOOK_NOT_SET');
    await port(ctx).remove(tx, ws, agentId);
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'agent.webhook_deleted', targetType: 'agent', targetId: agentId, diff: { before: { url: state.endpoint?.url ?? null, callbackUrl: state.callback?.url ?? null }, after: null } });
  });
}

export async function rotateWebhookSecret(ctx: AgentsContext, principal: Principal, audit: AuditContext, agentId: string, keepPreviousSeconds: number): Promise<WebhookSettings> {
  const ws = principal.workspaceId;
  return ctx.db.withWorkspace(ws, async (tx) => {
    const agent = await selectAgent(tx, ws, agentId, true);
    if (!agent) throw agentsErrors.create('AGENT_NOT_FOUND');
    const rotated = await port(ctx).rotateSecret(tx, ws, agentId, keepPreviousSeconds);
    if (!rotated) throw agentsErrors.create('AGENT_WEBHOOK_NOT_SET');
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'agent.webhook_secret_rotated', targetType: 'agent', targetId: agentId, diff: { before: null, after: { keepPreviousSeconds } } });
    return { ...viewOf(agent, await port(ctx).state(tx, ws, agentId)), secret: rotated.secret };
  });
}
