// A workspace's memory space: the built-in provider (PostgreSQL) or an external one speaking
// Mem0's REST API. Provisioned at signup (built-in, a project id of its own); an admin may move
// the workspace to a Mem0 project, created through that API in the given organisation, with the
// access key read from the workspace's vault (by name: never stored here). Remember and recall
// read the space through a 5 s per-process cache (forgotten here at once on a change).
import type { Tx } from '../../kernel/db/database.ts';
import { randomBytes } from 'node:crypto';
import { PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import type { AuditContext } from '../audit/index.ts';
import type { MemoryContext } from './memory.context.ts';
import { memoryErrors } from './memory.errors.ts';
import { addMemory, checkProject, createProject, Mem0Error, searchMemories } from './mem0-client.ts';
import type { Mem0Target } from './mem0-client.ts';

export type SpaceRow = {
  workspace_id: string; provider: 'builtin' | 'mem0'; project_id: string; base_url: string | null; org_id: string | null; secret_name: string | null;
  status: 'connected' | 'disconnected'; last_error: string | null; checked_at: Date; created_at: Date; updated_at: Date;
};
export type SpaceView = {
  provider: SpaceRow['provider']; projectId: string; baseUrl: string | null; orgId: string | null; secretName: string | null;
  status: SpaceRow['status']; lastError: string | null; checkedAt: string; createdAt: string;
};

const COLUMNS = 'workspace_id, provider, project_id, base_url, org_id, secret_name, status, last_error, checked_at, created_at, updated_at';

export const viewOfSpace = (r: SpaceRow): SpaceView => ({
  provider: r.provider, projectId: r.project_id, baseUrl: r.base_url, orgId: r.org_id, secretName: r.secret_name,
  status: r.status, lastError: r.last_error, checkedAt: r.checked_at.toISOString(), createdAt: r.created_at.toISOString(),
});

export async function selectSpace(tx: Tx, workspaceId: string): Promise<SpaceRow | null> {
  const { rows } = await tx.query<SpaceRow>(`select ${COLUMNS} from memory_spaces where workspace_id = $1`, [workspaceId]);
  return rows[0] ?? null;
}

/** The built-in space of a new workspace (the onboarding step; idempotent). A child workspace gets its own on first use. */
export async function provisionBuiltinSpace(tx: Tx, workspaceId: string): Promise<SpaceRow> {
  await tx.query(`insert into memory_spaces (workspace_id, project_id) values ($1, $2) on conflict (workspace_id) do nothing`, [workspaceId, `mem_${randomBytes(10).toString('hex')}`]);
  return (await selectSpace(tx, workspaceId))!;
}

const SPACE_TTL_MS = 5_000;
/** The workspace's space as this process last read it (at most 5 s old). */
export async function cachedSpace(ctx: MemoryContext, workspaceId: string): Promise<SpaceRow> {
  const hit = ctx.spaces.get(workspaceId);
  if (hit && Date.now() - hit.at < SPACE_TTL_MS) return hit.space;
  return ctx.db.withWorkspace(workspaceId, (tx) => spaceIn(ctx, tx, workspaceId));
}

async function isPrivateAllowed(tx: Tx, workspaceId: string): Promise<boolean> {
  const { rows } = await tx.query<{ value: unknown }>('select value from workspace_setting_values where workspace_id = $1 and key = $2', [workspaceId, PRIVATE_NETWORK_SETTING.key]);
  return rows[0]?.value === true;
}

/** How to reach the external project (the key read from the vault in the caller's transaction). */
export async function mem0TargetOf(ctx: MemoryContext, tx: Tx, space: SpaceRow): Promise<Mem0Target> {
  if (space.provider !== 'mem0' || !space.base_url || !space.org_id || !space.secret_name) throw new Error('not an external memory space');
  const accessKey = await ctx.resolveSecret(tx, space.workspace_id, space.secret_name).catch((err: unknown) => {
    if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') throw memoryErrors.create('MEMORY_PROVIDER_UNAVAILABLE', `The access key ${space.secret_name} is no longer in the vault`);
    throw err;
  });
  return { baseUrl: space.base_url, orgId: space.org_id, projectId: space.project_id, accessKey, isPrivateAllowed: await isPrivateAllowed(tx, space.workspace_id) };
}

export async function getSpace(ctx: MemoryContext, workspaceId: string): Promise<SpaceView> {
  return viewOfSpace(await cachedSpace(ctx, workspaceId));
}

export type SpaceInput = { provider: 'builtin' | 'mem0'; baseUrl?: string; orgId?: string; secretName?: string; projectName?: string };

/**
 * Move the workspace's memory: to the built-in provider, or to a new Mem0 project created now in
 * the organisation (nothing is changed when the provider refuses). Memories are not copied.
 */
export async function configureSpace(ctx: MemoryContext, audit: AuditContext, workspaceId: string, input: SpaceInput): Promise<SpaceView> {
  let next: { provider: 'builtin' | 'mem0'; projectId: string; baseUrl: string | null; orgId: string | null; secretName: string | null };
  const extra = (['baseUrl', 'orgId', 'secretName', 'projectName'] as const).filter((k) => input[k] !== undefined);
  if (input.provider === 'builtin' && extra.length) {
    throw memoryErrors.create('MEMORY_SPACE_INVALID', `${extra.map((k) => `body.${k}`).join(', ')}: only for provider mem0`, { extra: { errors: extra.map((k) => ({ path: `body.${k}`, message: 'is only for provider mem0' })) } });
  }
  if (input.provider === 'builtin') {
    next = { provider: 'builtin', projectId: `mem_${randomBytes(10).toString('hex')}`, baseUrl: null, orgId: null, secretName: null };
  } else {
    const missing = (['baseUrl', 'orgId', 'secretName'] as const).filter((k) => input[k] === undefined);
    if (missing.length) {
      throw memoryErrors.create('MEMORY_SPACE_INVALID', `${missing.map((k) => `body.${k}`).join(', ')} ${missing.length === 1 ? 'is' : 'are'} needed for provider mem0`, { extra: { errors: missing.map((k) => ({ path: `body.${k}`, message: 'is needed for provider mem0' })) } });
    }
    const mem0 = input as Required<Pick<SpaceInput, 'baseUrl' | 'orgId' | 'secretName'>> & SpaceInput;
    const { target, slug } = await ctx.db.withWorkspace(workspaceId, async (tx) => {
      const accessKey = await ctx.resolveSecret(tx, workspaceId, mem0.secretName).catch((err: unknown) => {
        if ((err as { code?: string }).code === 'SECRET_NOT_FOUND') throw memoryErrors.create('MEMORY_SPACE_INVALID', `body.secretName names no secret of this workspace's vault (create it first: PUT /api/v1/secrets/${mem0.secretName})`);
        throw err;
      });
      const { rows } = await tx.query<{ slug: string }>('select slug from workspace_directory where id = $1', [workspaceId]);
      return { target: { baseUrl: mem0.baseUrl, orgId: mem0.orgId, accessKey, isPrivateAllowed: await isPrivateAllowed(tx, workspaceId) }, slug: rows[0]?.slug ?? workspaceId };
    });
    let projectId: string;
    try {
      projectId = await createProject(target, input.projectName ?? `atrium-${slug}`);
    } catch (err) {
      if (err instanceof Mem0Error) throw memoryErrors.create('MEMORY_SPACE_INVALID', `The project could not be created: ${err.message}`);
      throw err;
    }
    next = { provider: 'mem0', projectId, baseUrl: mem0.baseUrl.replace(/\/+$/, ''), orgId: mem0.orgId, secretName: mem0.secretName };
  }
  const row = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    const before = (await selectSpace(tx, workspaceId)) ?? await provisionBuiltinSpace(tx, workspaceId);
    const { rows } = await tx.query<SpaceRow>(
      `update memory_spaces set provider = $2, project_id = $3, base_url = $4, org_id = $5, secret_name = $6, status = 'connected', last_error = null, checked_at = now(), updated_at = now()
       where workspace_id = $1 returning ${COLUMNS}`, [workspaceId, next.provider, next.projectId, next.baseUrl, next.orgId, next.secretName]);
    await ctx.audit.record(tx, audit, {
      workspaceId, action: 'memory_space.updated', targetType: 'memory_space', targetId: workspaceId,
      diff: { before: { provider: before.provider, projectId: before.project_id, baseUrl: before.base_url }, after: { provider: next.provider, projectId: next.projectId, baseUrl: next.baseUrl } },
    });
    return rows[0];
  });
  ctx.spaces.delete(workspaceId);
  return viewOfSpace(row);
}

/** Reach the provider now (the built-in one is the database: connected) and record what it said. */
export async function checkSpace(ctx: MemoryContext, workspaceId: string): Promise<SpaceView> {
  const space = await cachedSpace(ctx, workspaceId);
  let error: string | null = null;
  if (space.provider === 'mem0') {
    try {
      await checkProject(await ctx.db.withWorkspace(workspaceId, (tx) => mem0TargetOf(ctx, tx, space)));
    } catch (err) {
      if (err instanceof Mem0Error) error = err.message;
      else if ((err as { code?: string }).code === 'MEMORY_PROVIDER_UNAVAILABLE') error = (err as Error).message;
      else throw err;
    }
  }
  const row = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    await provisionBuiltinSpace(tx, workspaceId);
    const { rows } = await tx.query<SpaceRow>(
      `update memory_spaces set status = $2, last_error = $3, checked_at = now() where workspace_id = $1 returning ${COLUMNS}`,
      [workspaceId, error ? 'disconnected' : 'connected', error?.slice(0, 2000) ?? null]);
    return rows[0];
  });
  ctx.spaces.delete(workspaceId);
  return viewOfSpace(row);
}

/** The space, in the caller's transaction when this process has no recent copy (no second connection on the hot path). */
export async function spaceIn(ctx: MemoryContext, tx: Tx, workspaceId: string): Promise<SpaceRow> {
  const hit = ctx.spaces.get(workspaceId);
  if (hit && Date.now() - hit.at < SPACE_TTL_MS) return hit.space;
  const existing = await selectSpace(tx, workspaceId);
  // A row made here is not cached: the caller's transaction may still roll back.
  if (!existing) return provisionBuiltinSpace(tx, workspaceId);
  if (ctx.spaces.size > 50_000) ctx.spaces.clear();
  ctx.spaces.set(workspaceId, { space: existing, at: Date.now() });
  return existing;
}

const unavailable = (err: unknown): never => {
  if (err instanceof Mem0Error) throw memoryErrors.create('MEMORY_PROVIDER_UNAVAILABLE', err.message);
  throw err;
};

/** Remember with the external provider (its quota applies, not the plan's): what it recorded. */
export async function rememberExternally(ctx: MemoryContext, tx: Tx, space: SpaceRow, agentId: string | null, input: { text: string; tags?: string[]; metadata?: Record<string, unknown> }) {
  const target = await mem0TargetOf(ctx, tx, space);
  const m = await addMemory(target, { text: input.text, agentId, tags: input.tags ?? [], metadata: input.metadata ?? {} }).catch(unavailable);
  return { id: m.id, agentId, text: m.text, tags: m.tags, metadata: m.metadata, expiresAt: null, createdAt: m.createdAt, updatedAt: m.updatedAt, bytes: Buffer.byteLength(m.text), isMerged: false };
}

/** Recall from the external provider: the agent's and the shared memories (or the shared ones), every tag required. */
export async function recallExternally(ctx: MemoryContext, tx: Tx, space: SpaceRow, agentId: string | null, query: { query: string; limit?: number; tags?: string[] }) {
  const target = await mem0TargetOf(ctx, tx, space);
  const found = await searchMemories(target, { query: query.query, agentId, tags: query.tags ?? [], limit: query.limit ?? 5 }).catch(unavailable);
  return found.map((m) => ({ id: m.id, agentId: m.agentId, text: m.text, tags: m.tags, metadata: m.metadata, expiresAt: null, createdAt: m.createdAt, updatedAt: m.updatedAt, bytes: Buffer.byteLength(m.text), score: m.score }));
}

/** List, edit, delete and export happen at the provider: a clear refusal here. */
export async function refuseIfExternal(ctx: MemoryContext, tx: Tx, workspaceId: string): Promise<void> {
  const space = await spaceIn(ctx, tx, workspaceId);
  if (space.provider === 'mem0') {
    throw memoryErrors.create('MEMORY_EXTERNAL', `This workspace's memory is kept in the Mem0 project ${space.project_id} (${space.base_url}): list, edit, delete and export it there, or move the workspace back to the built-in provider (PUT /api/v1/memories/space)`);
  }
}
