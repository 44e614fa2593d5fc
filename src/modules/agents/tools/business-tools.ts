// The business tools (brief 004 V3.2): members (invite), workflows (list, run, an execution's
// status), support tickets (open, list). Each calls the owning module's use-case as the principal
// — the same permission, role rules, validation and audit as the API — so an agent, the
// assistant or an MCP client never does more than that principal could do by hand. Writes are
// audited as the principal, with the channel in the user agent ("Atrium assistant, run …").
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import type { ToolContext, ToolDefinition } from './registry.ts';

type Invitation = { id: string; email: string; role: string; expiresAt: string };
type WorkflowItem = { id: string; name: string; status: string; description?: string | null };
type Execution = { id: string; workflowId: string; status: string; output: unknown; error: unknown; progress: { percent: number } };
type Ticket = { id: string; number?: number; subject: string; status: string; priority: string; createdAt: string };

export type BusinessToolPorts = {
  invite: (principal: Principal, input: { email: string; role: 'admin' | 'member' | 'viewer' }, audit: AuditContext) => Promise<Invitation>;
  listWorkflows: (principal: Principal, query: { search?: string; limit: number }) => Promise<{ data: WorkflowItem[] }>;
  startWorkflow: (input: { workspaceId: string; workflowId: string; input: unknown; principal: Principal; audit: AuditContext }) => Promise<{ executionId: string; status: string }>;
  execution: (principal: Principal, id: string) => Promise<Execution>;
  openTicket: (principal: Principal, audit: AuditContext, input: { subject: string; description: string; priority?: 'low' | 'normal' | 'high' | 'urgent' }) => Promise<Ticket>;
  listTickets: (principal: Principal, filter: { status?: 'open' | 'in_progress' | 'waiting' | 'resolved' | 'closed'; limit: number }) => Promise<{ data: Ticket[]; total: number }>;
};

const Str = (max: number, extra: Record<string, unknown> = {}) => ({ type: 'string', minLength: 1, maxLength: max, ...extra });
const Uuid = { type: 'string', format: 'uuid' };
const CHANNEL = { agent: 'Atrium agent', assistant: 'Atrium assistant', mcp: 'Atrium MCP', workflow: 'Atrium workflow' } as const;

/** The audit context of a tool's write: the principal as actor, the channel and run in the user agent. */
export function auditOfTool(ctx: ToolContext): AuditContext {
  const p = ctx.principal;
  return {
    actor: p.userId ? { type: 'user', id: p.userId, realActorId: p.impersonatorId ?? null } : p.apiKeyId ? { type: 'api_key', id: p.apiKeyId } : { type: 'system', id: null },
    ip: null, userAgent: `${CHANNEL[ctx.via ?? 'agent']}${ctx.runId ? `, run ${ctx.runId}` : ''}`, requestId: ctx.runId, traceId: null,
  };
}

export function businessTools(ports: BusinessToolPorts): ToolDefinition[] {
  const invite: ToolDefinition<{ email: string; role?: 'admin' | 'member' | 'viewer' }> = {
    name: 'members.invite',
    description: 'Invite someone to the workspace by email (an invitation mail is sent). Role: viewer, member or admin — at most your own.',
    inputSchema: { type: 'object', additionalProperties: false, required: ['email'], properties: { email: Str(254, { format: 'email' }), role: { type: 'string', enum: ['viewer', 'member', 'admin'] } } },
    outputSchema: { type: 'object', required: ['id', 'email', 'role'], properties: { id: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, expiresAt: { type: 'string' } } },
    permission: 'member.invite', timeoutMs: 10_000, isIdempotent: false, retries: 0, ratePerMinute: 30, isMutating: true,
    example: { email: 'new.colleague@example.com', role: 'viewer' },
    run: async (ctx, input) => {
      const i = await ports.invite(ctx.principal, { email: input.email, role: input.role ?? 'member' }, auditOfTool(ctx));
      return { id: i.id, email: i.email, role: i.role, expiresAt: i.expiresAt };
    },
  };
  const workflows: ToolDefinition<{ search?: string; limit?: number }> = {
    name: 'workflows.list',
    description: 'The workspace\'s workflows (id, name, status: draft, deployed or archived), optionally those whose name contains a text.',
    inputSchema: { type: 'object', additionalProperties: false, properties: { search: Str(200), limit: { type: 'integer', minimum: 1, maximum: 100 } } },
    outputSchema: { type: 'object', required: ['workflows'], properties: { workflows: { type: 'array', items: { type: 'object', required: ['id', 'name', 'status'], properties: { id: { type: 'string' }, name: { type: 'string' }, status: { type: 'string' } } } } } },
    permission: 'workflow.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 600, isMutating: false,
    run: async (ctx, input) => {
      const page = await ports.listWorkflows(ctx.principal, { ...(input.search ? { search: input.search } : {}), limit: input.limit ?? 50 });
      return { workflows: page.data.map((w) => ({ id: w.id, name: w.name, status: w.status })) };
    },
  };
  const execute: ToolDefinition<{ workflowId: string; input?: Record<string, unknown> }> = {
    name: 'workflows.execute',
    description: 'Run a deployed workflow with an input object; answers the execution id (follow it with workflows.execution).',
    inputSchema: { type: 'object', additionalProperties: false, required: ['workflowId'], properties: { workflowId: Uuid, input: { type: 'object' } } },
    outputSchema: { type: 'object', required: ['executionId', 'status'], properties: { executionId: { type: 'string' }, status: { type: 'string' } } },
    permission: 'workflow.execute', timeoutMs: 10_000, isIdempotent: false, retries: 0, ratePerMinute: 120, isMutating: true,
    example: { workflowId: '01a2a000-0000-7000-8000-000000000000', input: { customer: 'Acme' } },
    run: async (ctx, input) => {
      const started = await ports.startWorkflow({ workspaceId: ctx.workspaceId, workflowId: input.workflowId, input: input.input ?? {}, principal: ctx.principal, audit: auditOfTool(ctx) });
      return { executionId: started.executionId, status: started.status };
    },
  };
  const execution: ToolDefinition<{ executionId: string }> = {
    name: 'workflows.execution',
    description: 'An execution\'s status (pending, processing, completed, failed, cancelled, timed_out), progress, output and error.',
    inputSchema: { type: 'object', additionalProperties: false, required: ['executionId'], properties: { executionId: Uuid } },
    outputSchema: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, status: { type: 'string' }, percent: { type: 'number' } } },
    permission: 'workflow.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 600, isMutating: false,
    example: { executionId: '01a2a000-0000-7000-8000-000000000000' },
    run: async (ctx, input) => {
      const e = await ports.execution(ctx.principal, input.executionId);
      return { id: e.id, workflowId: e.workflowId, status: e.status, percent: e.progress.percent, output: e.output ?? null, error: e.error ?? null };
    },
  };
  const openTicket: ToolDefinition<{ subject: string; description?: string; priority?: 'low' | 'normal' | 'high' | 'urgent' }> = {
    name: 'tickets.open',
    description: 'Open a support ticket with the platform\'s team (a subject, a description, a priority).',
    inputSchema: {
      type: 'object', additionalProperties: false, required: ['subject'],
      properties: { subject: Str(200, { pattern: '\\S' }), description: { type: 'string', maxLength: 20_000 }, priority: { type: 'string', enum: ['low', 'normal', 'high', 'urgent'] } },
    },
    outputSchema: { type: 'object', required: ['id', 'status'], properties: { id: { type: 'string' }, subject: { type: 'string' }, status: { type: 'string' }, priority: { type: 'string' } } },
    permission: 'ticket.create', timeoutMs: 10_000, isIdempotent: false, retries: 0, ratePerMinute: 30, isMutating: true,
    example: { subject: 'The weekly report did not arrive', description: 'Since Monday.', priority: 'normal' },
    run: async (ctx, input) => {
      const t = await ports.openTicket(ctx.principal, auditOfTool(ctx), { subject: input.subject, description: input.description ?? '', ...(input.priority ? { priority: input.priority } : {}) });
      return { id: t.id, subject: t.subject, status: t.status, priority: t.priority };
    },
  };
  const listTickets: ToolDefinition<{ status?: 'open' | 'in_progress' | 'waiting' | 'resolved' | 'closed'; limit?: number }> = {
    name: 'tickets.list',
    description: 'The workspace\'s support tickets, newest first, optionally of one status.',
    inputSchema: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['open', 'in_progress', 'waiting', 'resolved', 'closed'] }, limit: { type: 'integer', minimum: 1, maximum: 100 } } },
    outputSchema: { type: 'object', required: ['tickets', 'total'], properties: { tickets: { type: 'array' }, total: { type: 'integer' } } },
    permission: 'ticket.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 600, isMutating: false,
    run: async (ctx, input) => {
      const page = await ports.listTickets(ctx.principal, { ...(input.status ? { status: input.status } : {}), limit: input.limit ?? 20 });
      return { tickets: page.data.map((t) => ({ id: t.id, subject: t.subject, status: t.status, priority: t.priority, createdAt: t.createdAt })), total: page.total };
    },
  };
  return [invite, workflows, execute, execution, openTicket, listTickets] as unknown as ToolDefinition[];
}
