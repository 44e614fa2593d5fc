// A workspace's external MCP servers: add, change, refresh (list its tools), remove — each
// change audited. The URL passes the outbound address guard with the workspace's setting; the
// credential is a vault secret named by the server (never stored or shown here). Adding or
// refreshing reaches the server outside any transaction; what it answered is recorded after.
import { checkUrlTarget, PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import type { AuditContext } from '../audit/index.ts';
import type { McpServersContext } from './mcp.context.ts';
import { mcpErrors } from './mcp.errors.ts';
import { listAnnouncedTools, McpClientError } from './mcp-client.ts';
import type { AnnouncedTool } from './mcp-client.ts';
import { currentTarget, EXTERNAL_PREFIX } from './external-tools.ts';
import type { KeptTool, ServerFields, ServerRow } from './servers.store.ts';
import { deleteServer, insertServer, recordRefresh, selectServer, selectServers, updateServer } from './servers.store.ts';
import type { Tx } from '../../kernel/db/database.ts';

export type ServerView = {
  id: string; name: string; url: string; secretName: string | null; authHeader: string; timeoutMs: number; isEnabled: boolean;
  status: ServerRow['status']; lastError: string | null; checkedAt: string | null;
  tools: Array<{ name: string; originalName: string; description: string; isMutating: boolean }>;
  createdAt: string; updatedAt: string;
};

export function viewOfServer(row: ServerRow): ServerView {
  return {
    id: row.id, name: row.name, url: row.url, secretName: row.secret_name, authHeader: row.auth_header, timeoutMs: row.timeout_ms, isEnabled: row.is_enabled,
    status: row.status, lastError: row.last_error, checkedAt: row.checked_at?.toISOString() ?? null,
    tools: row.tools.map((t) => ({ name: `${EXTERNAL_PREFIX}${row.name}.${t.name}`, originalName: t.originalName, description: t.description, isMutating: !t.readOnly })),
    createdAt: row.created_at.toISOString(), updatedAt: row.updated_at.toISOString(),
  };
}

/** A model API takes tool names of [a-zA-Z0-9_-]{1,64}: `mcp__<server>__<tool>` must fit, so tool names are cut to fit and made unique. */
export function keptToolsOf(serverName: string, announced: AnnouncedTool[]): KeptTool[] {
  const room = 64 - `mcp__${serverName}__`.length;
  const taken = new Set<string>();
  return announced.map((t) => {
    let base = t.name.toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
    if (!/^[a-z]/.test(base)) base = `t_${base}`.replace(/_$/, '');
    base = base.slice(0, room);
    let name = base;
    for (let n = 2; taken.has(name); n++) name = `${base.slice(0, room - String(n).length - 1)}_${n}`;
    taken.add(name);
    return { name, originalName: t.name, description: t.description, inputSchema: t.inputSchema, readOnly: t.readOnly, idempotent: t.idempotent };
  });
}

export type ServerInput = { name: string; url: string; secretName?: string | null; authHeader?: string; timeoutMs?: number; isEnabled?: boolean };

async function checkedFields(ctx: McpServersContext, tx: Tx, workspaceId: string, f: ServerFields): Promise<ServerFields> {
  const allowPrivate = await ctx.isPrivateAllowed(tx, workspaceId);
  const refusal = checkUrlTarget(f.url, { allowPrivate });
  if (refusal) {
    throw mcpErrors.create('MCP_SERVER_INVALID', `body.url ${refusal}${allowPrivate ? '' : ` (a workspace admin can allow private addresses with the setting ${PRIVATE_NETWORK_SETTING.key})`}`, { extra: { errors: [{ path: 'body.url', message: refusal }] } });
  }
  if (f.secretName !== null) {
    await ctx.resolveSecret(tx, workspaceId, f.secretName).catch((err: unknown) => {
      if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') {
        const message = `names no secret of this workspace's vault (create it first: PUT /api/v1/secrets/${f.secretName})`;
        throw mcpErrors.create('MCP_SERVER_INVALID', `body.secretName ${message}`, { extra: { errors: [{ path: 'body.secretName', message }] } });
      }
      throw err;
    });
  }
  return { ...f, authHeader: f.authHeader.toLowerCase() };
}

export async function listServers(ctx: McpServersContext, workspaceId: string): Promise<ServerView[]> {
  return (await ctx.db.withWorkspace(workspaceId, (tx) => selectServers(tx, workspaceId))).map(viewOfServer);
}

export async function getServer(ctx: McpServersContext, workspaceId: string, id: string): Promise<ServerView> {
  const row = await ctx.db.withWorkspace(workspaceId, (tx) => selectServer(tx, workspaceId, id));
  if (!row) throw mcpErrors.create('MCP_SERVER_NOT_FOUND');
  return viewOfServer(row);
}

/** Add a server, then reach it: the answer says whether it is connected and which tools it has (or why not). */
export async function addServer(ctx: McpServersContext, audit: AuditContext, workspaceId: string, input: ServerInput): Promise<ServerView> {
  const row = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    const fields = await checkedFields(ctx, tx, workspaceId, {
      name: input.name, url: input.url, secretName: input.secretName ?? null, authHeader: input.authHeader ?? 'authorization', timeoutMs: input.timeoutMs ?? 30_000, isEnabled: input.isEnabled ?? true,
    });
    const inserted = await insertServer(tx, workspaceId, fields, audit.actor.id ?? null);
    if (!inserted) throw mcpErrors.create('MCP_SERVER_NAME_TAKEN', `An MCP server named "${input.name}" already exists in this workspace`);
    await ctx.audit.record(tx, audit, {
      workspaceId, action: 'mcp_server.created', targetType: 'mcp_server', targetId: inserted.id,
      diff: { before: null, after: { name: fields.name, url: fields.url, secretName: fields.secretName, authHeader: fields.authHeader } },
    });
    return inserted;
  });
  return refreshServer(ctx, workspaceId, row.id);
}

export async function changeServer(ctx: McpServersContext, audit: AuditContext, workspaceId: string, id: string, patch: Partial<ServerInput>): Promise<ServerView> {
  const { row, reconnect } = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    const current = await selectServer(tx, workspaceId, id, { forUpdate: true });
    if (!current) throw mcpErrors.create('MCP_SERVER_NOT_FOUND');
    const fields = await checkedFields(ctx, tx, workspaceId, {
      name: patch.name ?? current.name, url: patch.url ?? current.url,
      secretName: patch.secretName === undefined ? current.secret_name : patch.secretName,
      authHeader: patch.authHeader ?? current.auth_header, timeoutMs: patch.timeoutMs ?? current.timeout_ms, isEnabled: patch.isEnabled ?? current.is_enabled,
    });
    const updated = await updateServer(tx, workspaceId, id, fields);
    if (!updated) throw mcpErrors.create('MCP_SERVER_NAME_TAKEN', `An MCP server named "${fields.name}" already exists in this workspace`);
    const before = viewOfServer(current);
    const after = viewOfServer(updated);
    const changed = (['name', 'url', 'secretName', 'authHeader', 'timeoutMs', 'isEnabled'] as const).filter((k) => before[k] !== after[k]);
    if (changed.length) {
      await ctx.audit.record(tx, audit, {
        workspaceId, action: 'mcp_server.updated', targetType: 'mcp_server', targetId: id,
        diff: { before: Object.fromEntries(changed.map((k) => [k, before[k]])), after: Object.fromEntries(changed.map((k) => [k, after[k]])) },
      });
    }
    return { row: updated, reconnect: updated.is_enabled && changed.some((k) => k === 'url' || k === 'secretName' || k === 'authHeader' || k === 'name' || (k === 'isEnabled')) };
  });
  ctx.invalidate(workspaceId);
  return reconnect ? refreshServer(ctx, workspaceId, row.id) : viewOfServer(row);
}

export async function removeServer(ctx: McpServersContext, audit: AuditContext, workspaceId: string, id: string): Promise<void> {
  await ctx.db.withWorkspace(workspaceId, async (tx) => {
    const current = await selectServer(tx, workspaceId, id, { forUpdate: true });
    if (!current) throw mcpErrors.create('MCP_SERVER_NOT_FOUND');
    await deleteServer(tx, workspaceId, id);
    await ctx.audit.record(tx, audit, { workspaceId, action: 'mcp_server.deleted', targetType: 'mcp_server', targetId: id, diff: { before: { name: current.name, url: current.url } } });
  });
  ctx.invalidate(workspaceId);
}

/** Reach the server and list its tools; the row keeps its former tools when the server cannot be reached. */
export async function refreshServer(ctx: McpServersContext, workspaceId: string, id: string): Promise<ServerView> {
  const { row, target } = await currentTarget(ctx, workspaceId, id);
  if (!row) throw mcpErrors.create('MCP_SERVER_NOT_FOUND');
  let outcome: { tools: KeptTool[] | null; error: string | null };
  if (!target) outcome = { tools: null, error: `The secret ${row.secret_name} is no longer in the vault` };
  else {
    try {
      outcome = { tools: keptToolsOf(row.name, await listAnnouncedTools(target)), error: null };
    } catch (err) {
      if (!(err instanceof McpClientError)) throw err;
      outcome = { tools: null, error: err.message.slice(0, 2_000) };
    }
  }
  const updated = await ctx.db.withWorkspace(workspaceId, (tx) => recordRefresh(tx, workspaceId, id, outcome));
  ctx.invalidate(workspaceId);
  if (!updated) throw mcpErrors.create('MCP_SERVER_NOT_FOUND');
  if (outcome.error) ctx.log.info({ workspaceId, mcpServerId: id, error: outcome.error }, 'external MCP server could not be listed');
  return viewOfServer(updated);
}
