// Verification of hash chains: GET /audit/verify (one workspace, tenant path) and
// `atrium audit verify` (one or every workspace, platform path). A workspace's links are read
// through one cursor, so the chain is checked against one snapshot, anchor included; then its
// events without a link are counted: written since the sealer's position (pending, normal), or
// before it (inserted behind the sealer: the chain is broken).
import type { Database, Tx } from '../../kernel/db/database.ts';
import { countUnsealed, scanChain } from './audit.store.ts';
import type { ChainVerification } from './audit.types.ts';
import { GENESIS_HASH, createChainVerifier } from './hash-chain.ts';

/** In the caller's transaction (bound to the workspace, or the platform path). */
export async function verifyChainIn(tx: Tx, workspaceId: string): Promise<ChainVerification> {
  const state = { verifier: createChainVerifier({ seq: 0, hash: GENESIS_HASH }) };
  await scanChain(tx, workspaceId, {
    onAnchor(anchor) {
      if (anchor) state.verifier = createChainVerifier(anchor);
    },
    onLink(link) {
      return state.verifier.check(link);
    },
  });
  const result = state.verifier.result();
  const unsealed = await countUnsealed(tx, workspaceId);
  if (result.isValid && unsealed.orphans > 0) {
    return { ...result, isValid: false, pending: unsealed.pending, firstBrokenId: unsealed.firstOrphanId ?? undefined, reason: 'unsealed_event' };
  }
  return { ...result, pending: unsealed.pending };
}

export function verifyWorkspaceChain(db: Database, workspaceId: string): Promise<ChainVerification> {
  return db.withWorkspace(workspaceId, (tx) => verifyChainIn(tx, workspaceId));
}

export type WorkspaceVerification = ChainVerification & { workspaceId: string; slug: string };

/** Platform path: one workspace (by id or slug) or all of them, oldest first; `onProgress` after each. */
export async function verifyChains(
  db: Database,
  options: { workspace?: string; onProgress?: (done: number, total: number, result: WorkspaceVerification) => void } = {},
): Promise<WorkspaceVerification[]> {
  const workspaces = await db.withPlatform(async (tx) => {
    const { rows } = await tx.query<{ id: string; slug: string }>(
      options.workspace === undefined
        ? 'select id, slug from workspace_directory order by created_at, id'
        : 'select id, slug from workspace_directory where id::text = lower($1) or slug = lower($1)',
      options.workspace === undefined ? [] : [options.workspace],
    );
    return rows;
  });
  const results: WorkspaceVerification[] = [];
  for (const w of workspaces) {
    const result = { workspaceId: w.id, slug: w.slug, ...(await db.withPlatform((tx) => verifyChainIn(tx, w.id))) };
    results.push(result);
    options.onProgress?.(results.length, workspaces.length, result);
  }
  return results;
}
