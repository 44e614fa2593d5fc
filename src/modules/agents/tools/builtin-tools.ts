// The built-in tools, each on another module's door, each with the permission a user would need
// to do the same through the API (so an agent never does more than the principal it acts as).
import type { Tx } from '../../../kernel/db/database.ts';
import type { MemoryModule } from '../../memory/index.ts';
import type { TenancyModule } from '../../tenancy/index.ts';
import type { UsageModule } from '../../usage/index.ts';
import type { ToolDefinition, ToolRegistry } from './registry.ts';
import { businessTools } from './business-tools.ts';
import type { BusinessToolPorts } from './business-tools.ts';
import { httpTools } from './http-tools.ts';
import type { HttpToolPorts } from './http-tools.ts';

export type BuiltinToolPorts = {
  memory: Pick<MemoryModule, 'remember' | 'recall' | 'embedQuery'>;
  usage: Pick<UsageModule, 'quotas'>;
  tenancy: Pick<TenancyModule, 'getWorkspace'>;
  listMembers: (tx: Tx, workspaceId: string) => Promise<Array<{ userId: string; email: string; name: string; role: string; joinedAt: string }>>;
};

const Str = (max: number, extra: Record<string, unknown> = {}) => ({ type: 'string', minLength: 1, maxLength: max, ...extra });
const TagList = { type: 'array', maxItems: 20, uniqueItems: true, items: Str(64, { pattern: '^[\\p{L}\\p{N}][\\p{L}\\p{N}_.:/-]*$' }) };
const MemoryOut = {
  type: 'object', required: ['id', 'text', 'tags'],
  properties: { id: { type: 'string' }, text: { type: 'string' }, tags: { type: 'array', items: { type: 'string' } }, score: { type: 'number' }, isShared: { type: 'boolean' } },
};

export function builtinTools(ports: BuiltinToolPorts): ToolDefinition[] {
  const inTx = <T>(ctx: { db: { withWorkspace: (ws: string, fn: (tx: Tx) => Promise<T>) => Promise<T> }; workspaceId: string }, fn: (tx: Tx) => Promise<T>) => ctx.db.withWorkspace(ctx.workspaceId, fn);
  const remember: ToolDefinition<{ text: string; tags?: string[]; isShared?: boolean }> = {
    name: 'memory.remember',
    description: 'Remember a fact for later conversations (this agent\'s memory, or the workspace\'s shared memory with isShared). The same fact, noted again, updates the memory already there.',
    inputSchema: { type: 'object', additionalProperties: false, required: ['text'], properties: { text: Str(8000), tags: TagList, isShared: { type: 'boolean' } } },
    outputSchema: { type: 'object', required: ['id', 'isMerged'], properties: { id: { type: 'string' }, isMerged: { type: 'boolean' } } },
    permission: 'memory.write', timeoutMs: 5_000, isIdempotent: false, retries: 0, ratePerMinute: 600, isMutating: false,
    example: { text: 'Acme wants its invoices in euros.', tags: ['billing'] },
    run: (ctx, input) => inTx(ctx, async (tx) => {
      const r = await ports.memory.remember(tx, ctx.workspaceId, input.isShared ? null : ctx.agentId, { text: input.text, tags: input.tags }, ctx.principal.userId);
      return { id: r.id, isMerged: r.isMerged };
    }),
  };
  const recall: ToolDefinition<{ query: string; limit?: number; tags?: string[] }> = {
    name: 'memory.recall',
    description: 'Search long-term memory (this agent\'s and the workspace\'s shared memories) for what is relevant to a query.',
    inputSchema: { type: 'object', additionalProperties: false, required: ['query'], properties: { query: Str(500), limit: { type: 'integer', minimum: 1, maximum: 20 }, tags: TagList } },
    outputSchema: { type: 'object', required: ['memories'], properties: { memories: { type: 'array', items: MemoryOut } } },
    permission: 'memory.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 1200, isMutating: false,
    example: { query: 'invoices' },
    run: async (ctx, input) => {
      const vector = await ports.memory.embedQuery(ctx.workspaceId, input.query, ctx.signal);
      const found = await ctx.db.withWorkspace(ctx.workspaceId, (tx) => ports.memory.recall(tx, ctx.workspaceId, ctx.agentId, { query: input.query, limit: input.limit ?? 5, tags: input.tags, vector }));
      return { memories: found.map((m) => ({ id: m.id, text: m.text, tags: m.tags, score: m.score, isShared: m.agentId === null })) };
    },
  };
  const members: ToolDefinition<Record<string, never>> = {
    name: 'workspace.members',
    description: 'List the members of the workspace: name, email, role, when they joined.',
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    outputSchema: { type: 'object', required: ['members'], properties: { members: { type: 'array', items: { type: 'object', required: ['name', 'email', 'role'], properties: { name: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, joinedAt: { type: 'string' } } } } } },
    permission: 'member.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 600, isMutating: false,
    run: (ctx) => inTx(ctx, async (tx) => ({ members: (await ports.listMembers(tx, ctx.workspaceId)).slice(0, 200).map((m) => ({ name: m.name, email: m.email, role: m.role, joinedAt: m.joinedAt })) })),
  };
  const quotas: ToolDefinition<Record<string, never>> = {
    name: 'usage.quotas',
    description: 'This month\'s AI usage of the workspace against its quotas and budgets: tokens and cost spent, limits, when they reset.',
    inputSchema: { type: 'object', additionalProperties: false, properties: {} },
    outputSchema: { type: 'object', required: ['plan', 'resetsAt', 'quotas'], properties: { plan: { type: 'string' }, resetsAt: { type: 'string' }, quotas: { type: 'array' } } },
    permission: 'usage.read', timeoutMs: 5_000, isIdempotent: true, retries: 1, ratePerMinute: 600, isMutating: false,
    run: (ctx) => inTx(ctx, async (tx) => {
      const workspace = await ports.tenancy.getWorkspace(tx, ctx.workspaceId);
      const view = await ports.usage.quotas(tx, ctx.workspaceId, workspace?.plan ?? 'free');
      return {
        plan: view.plan, resetsAt: view.resetsAt,
        quotas: view.quotas.map((q) => ({ scope: q.scope, subjectId: q.subjectId, spentTokens: q.spentTokens, tokenLimit: q.effective.tokens, spentUsd: q.spentCostMicros / 1e6, usdLimit: q.effective.costMicros === null ? null : q.effective.costMicros / 1e6 })),
      };
    }),
  };
  const now: ToolDefinition<{ timeZone?: string }> = {
    name: 'time.now',
    description: 'The current date and time (ISO 8601, UTC, and in a given IANA time zone).',
    inputSchema: { type: 'object', additionalProperties: false, properties: { timeZone: Str(64, { pattern: '^[A-Za-z_]+(/[A-Za-z0-9_+-]+)*$' }) } },
    outputSchema: { type: 'object', required: ['utc'], properties: { utc: { type: 'string' }, local: { type: 'string' }, timeZone: { type: 'string' } } },
    permission: 'agent.run', timeoutMs: 1_000, isIdempotent: true, retries: 0, ratePerMinute: 6000, isMutating: false,
    run: async (_ctx, input) => {
      const at = new Date();
      if (!input.timeZone) return { utc: at.toISOString() };
      let local: string;
      try {
        local = at.toLocaleString('sv-SE', { timeZone: input.timeZone }).replace(' ', 'T');
      } catch {
        throw Object.assign(new Error(`Unknown time zone ${input.timeZone}`), { isBadInput: true });
      }
      return { utc: at.toISOString(), local, timeZone: input.timeZone };
    },
  };
  return [remember, recall, members, quotas, now] as unknown as ToolDefinition[];
}

export function registerBuiltinTools(registry: ToolRegistry, ports: BuiltinToolPorts & { business?: BusinessToolPorts; http?: HttpToolPorts }): void {
  for (const t of builtinTools(ports)) registry.register(t);
  if (ports.business) for (const t of businessTools(ports.business)) registry.register(t);
  if (ports.http) for (const t of httpTools(ports.http)) registry.register(t);
}
