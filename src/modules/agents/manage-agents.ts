// Agents as definitions: create (a first draft), edit the draft, publish it as the next version
// (runs record which), delete. The tools named must be in the registry (or the workspace's MCP servers'); the service role (what
// the agent may do when no user is behind a run) is never above the role of who sets it.
import type { Principal } from '../../kernel/http/principal.ts';
import type { AuditContext } from '../audit/index.ts';
import type { AgentsContext } from './agents.context.ts';
import { agentsErrors } from './agents.errors.ts';
import { DEFAULT_CONFIG } from './agents.schema.ts';
import type { AgentConfig, AgentView, CreateAgentInput, UpdateAgentInput } from './agents.schema.ts';
import { deleteAgent, insertAgent, insertVersion, selectAgent, updateAgent, viewOfAgent } from './agents.store.ts';

const RANK: Record<string, number> = { viewer: 1, member: 2, admin: 3, owner: 4 };

/** Every tool named must be the registry's or one of the workspace's external MCP servers'. */
async function checkConfig(ctx: AgentsContext, workspaceId: string, config: AgentConfig): Promise<void> {
  const known = new Set((await ctx.tools.resolve(workspaceId, config.tools)).map((t) => t.name));
  const unknown = config.tools.filter((t) => !known.has(t));
  if (unknown.length) throw agentsErrors.create('AGENT_TOOL_UNKNOWN', `Not in the tool registry: ${unknown.join(', ')} (GET /agents/tools lists them)`);
}

function checkServiceRole(principal: Principal, role: string | undefined): void {
  if (role === undefined) return;
  const own = (principal as Principal & { role?: string }).role ?? 'viewer';
  if ((RANK[role] ?? 99) > (RANK[own] ?? 0)) throw agentsErrors.create('AGENT_ROLE_ABOVE_YOURS', `You are ${own}: an agent's service role can be at most that`);
}

export async function createAgent(ctx: AgentsContext, principal: Principal, audit: AuditContext, input: CreateAgentInput): Promise<AgentView> {
  const ws = principal.workspaceId;
  const draft: AgentConfig = {
    ...DEFAULT_CONFIG, ...input.config,
    memory: { ...DEFAULT_CONFIG.memory, ...input.config.memory }, limits: { ...DEFAULT_CONFIG.limits, ...input.config.limits },
  } as AgentConfig;
  await checkConfig(ctx, ws, draft);
  checkServiceRole(principal, input.serviceRole);
  return ctx.db.withWorkspace(ws, async (tx) => {
    const id = await insertAgent(tx, ws, { name: input.name.trim() || input.name, description: input.description ?? '', draft, serviceRole: input.serviceRole ?? 'viewer', createdBy: principal.userId });
    if (!id) throw agentsErrors.create('AGENT_NAME_TAKEN', `An agent named "${input.name}" exists in this workspace`);
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'agent.created', targetType: 'agent', targetId: id, diff: { before: null, after: { name: input.name, model: draft.model, tools: draft.tools, serviceRole: input.serviceRole ?? 'viewer' } } });
    return viewOfAgent((await selectAgent(tx, ws, id))!);
  });
}

export async function changeAgent(ctx: AgentsContext, principal: Principal, audit: AuditContext, id: string, input: UpdateAgentInput): Promise<AgentView> {
  const ws = principal.workspaceId;
  checkServiceRole(principal, input.serviceRole);
  const view = await ctx.db.withWorkspace(ws, async (tx) => {
    const current = await selectAgent(tx, ws, id, true);
    if (!current) throw agentsErrors.create('AGENT_NOT_FOUND');
    const c = input.config ?? {};
    const draft: AgentConfig = { ...current.draft, ...c, memory: { ...current.draft.memory, ...c.memory }, limits: { ...current.draft.limits, ...c.limits } } as AgentConfig;
    await checkConfig(ctx, ws, draft);
    const next = { name: input.name ?? current.name, description: input.description ?? current.description, draft, serviceRole: input.serviceRole ?? current.service_role };
    try {
      await updateAgent(tx, ws, id, next);
    } catch (err) {
      if ((err as { code?: string }).code === '23505') throw agentsErrors.create('AGENT_NAME_TAKEN', `An agent named "${next.name}" exists in this workspace`);
      throw err;
    }
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'agent.updated', targetType: 'agent', targetId: id,
      diff: { before: { name: current.name, serviceRole: current.service_role, model: current.draft.model, tools: current.draft.tools }, after: { name: next.name, serviceRole: next.serviceRole, model: draft.model, tools: draft.tools } },
    });
    return viewOfAgent((await selectAgent(tx, ws, id))!);
  });
  ctx.definitions.forget(ws, id); // this process's next chat reads it again (another process's run finds out in its check)
  return view;
}

export async function publishAgent(ctx: AgentsContext, principal: Principal, audit: AuditContext, id: string): Promise<AgentView> {
  const ws = principal.workspaceId;
  const view = await ctx.db.withWorkspace(ws, async (tx) => {
    const current = await selectAgent(tx, ws, id, true);
    if (!current) throw agentsErrors.create('AGENT_NOT_FOUND');
    await checkConfig(ctx, ws, current.draft);
    const version = await insertVersion(tx, ws, id, current.draft, principal.userId);
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'agent.published', targetType: 'agent', targetId: id, diff: { before: { version: current.published_version }, after: { version } } });
    return viewOfAgent((await selectAgent(tx, ws, id))!);
  });
  ctx.definitions.forget(ws, id); // this process's next chat reads it again (another process's run finds out in its check)
  return view;
}

export async function removeAgent(ctx: AgentsContext, principal: Principal, audit: AuditContext, id: string): Promise<void> {
  const ws = principal.workspaceId;
  await ctx.db.withWorkspace(ws, async (tx) => {
    const current = await selectAgent(tx, ws, id, true);
    if (!current) throw agentsErrors.create('AGENT_NOT_FOUND');
    await ctx.webhooks?.remove(tx, ws, id); // its webhook endpoint (deliveries) and callback go with it
    if (!(await deleteAgent(tx, ws, id))) throw agentsErrors.create('AGENT_NOT_FOUND');
    await ctx.audit.record(tx, audit, { workspaceId: ws, action: 'agent.deleted', targetType: 'agent', targetId: id, diff: { before: { name: current.name, version: current.published_version }, after: null } });
  });
  ctx.definitions.forget(ws, id);
}
