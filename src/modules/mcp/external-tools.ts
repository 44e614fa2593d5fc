// The tools of a workspace's external MCP servers as a source of the tool registry: each
// announced tool becomes `mcp.<server>.<tool>`, with the server's input schema, the permission
// mcp_tool.call, the server's timeout, and the server's annotations (a tool not declared
// read-only counts as mutating: the assistant asks first; only read-only idempotent tools are
// retried). The list comes from the row (kept at the last refresh), cached 10 s per process and
// forgotten at once here when a server changes; a call connects with the vault's credential.
import type { ToolDefinition, ToolSource } from '../agents/index.ts';
import { explainedToolError } from '../agents/index.ts';
import type { McpServersContext } from './mcp.context.ts';
import { callAnnouncedTool, McpClientError } from './mcp-client.ts';
import type { McpTarget } from './mcp-client.ts';
import type { ServerRow } from './servers.store.ts';
import { selectServer, selectServers } from './servers.store.ts';

export const EXTERNAL_PREFIX = 'mcp.';
const CACHE_MS = 10_000;

/**
 * The server as it is now and how to reach it, in one transaction: the row (null: removed), and
 * the headers and guard a call uses (null when the secret it names is gone from the vault).
 */
export async function currentTarget(ctx: McpServersContext, workspaceId: string, id: string): Promise<{ row: ServerRow | null; target: McpTarget | null }> {
  return ctx.db.withWorkspace(workspaceId, async (tx) => {
    const row = await selectServer(tx, workspaceId, id);
    if (!row) return { row: null, target: null };
    const headers: Record<string, string> = {};
    if (row.secret_name) {
      const value = await ctx.resolveSecret(tx, workspaceId, row.secret_name).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') return null;
        throw err;
      });
      if (value === null) return { row, target: null };
      headers[row.auth_header] = row.auth_header === 'authorization' ? `Bearer ${value}` : value;
    }
    return { row, target: { url: row.url, headers, isPrivateAllowed: await ctx.isPrivateAllowed(tx, workspaceId), timeoutMs: row.timeout_ms } };
  });
}

function definitionsOf(ctx: McpServersContext, row: ServerRow): ToolDefinition[] {
  return row.tools.map((t): ToolDefinition => ({
    name: `${EXTERNAL_PREFIX}${row.name}.${t.name}`,
    description: `${t.description || t.originalName} (tool ${t.originalName} of the MCP server ${row.name})`,
    inputSchema: t.inputSchema,
    outputSchema: {},
    permission: 'mcp_tool.call',
    timeoutMs: row.timeout_ms + 1_000,
    isIdempotent: t.readOnly && t.idempotent,
    retries: t.readOnly && t.idempotent ? 1 : 0,
    ratePerMinute: 120,
    isMutating: !t.readOnly,
    async run(toolCtx, input) {
      // The row as it is now (a server disabled or its secret changed a second ago is honoured).
      const { row: current, target } = await currentTarget(ctx, toolCtx.workspaceId, row.id);
      if (!current || !current.is_enabled) throw explainedToolError(`MCP_SERVER_UNAVAILABLE: the MCP server ${row.name} was removed or disabled`);
      if (!target) throw explainedToolError(`MCP_SERVER_UNAVAILABLE: the secret ${current.secret_name} the MCP server ${row.name} names is not in the vault`);
      try {
        return await callAnnouncedTool(target, t.originalName, input, toolCtx.signal);
      } catch (err) {
        if (err instanceof McpClientError) throw explainedToolError(`MCP_TOOL_FAILED: ${err.message}`, err.isRetryable);
        throw err;
      }
    },
  }));
}

export function createExternalToolSource(ctx: Omit<McpServersContext, 'invalidate'>) {
  const cache = new Map<string, { at: number; tools: Promise<ToolDefinition[]> }>();
  const full: McpServersContext = { ...ctx, invalidate: (workspaceId) => { if (workspaceId) cache.delete(workspaceId); else cache.clear(); } };
  const source: ToolSource = {
    prefix: EXTERNAL_PREFIX,
    load(workspaceId) {
      const hit = cache.get(workspaceId);
      if (hit && Date.now() - hit.at < CACHE_MS) return hit.tools;
      const tools = ctx.db.withWorkspace(workspaceId, (tx) => selectServers(tx, workspaceId, { enabledOnly: true }))
        .then((rows) => rows.flatMap((row) => definitionsOf(full, row)));
      if (cache.size > 10_000) cache.clear();
      cache.set(workspaceId, { at: Date.now(), tools });
      tools.catch(() => cache.delete(workspaceId));
      return tools;
    },
  };
  return { source, ctx: full };
}
