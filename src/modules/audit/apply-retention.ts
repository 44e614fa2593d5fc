// Retention: each workspace keeps its events for `audit.retention_days` (default 400). Older
// events are deleted on the platform path, the only path the append-only trigger lets delete
// (role atrium_platform + the transaction-local flag below), and the chain's anchor moves to
// the last deleted link, so what remains still verifies. One transaction per workspace.
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import { deleteChainPrefix, listRetentionPolicies } from './audit.store.ts';

export const AUDIT_RETENTION_SETTING = 'audit.retention_days';
export const DEFAULT_RETENTION_DAYS = 400;
export const MIN_RETENTION_DAYS = 1;
export const MAX_RETENTION_DAYS = 3650;

const DAY_MS = 24 * 60 * 60 * 1000;

export type RetentionRun = { workspaces: number; deleted: number; byWorkspace: Array<{ workspaceId: string; deleted: number }> };

export async function applyRetention(db: Database, options: { now?: Date; log?: Logger } = {}): Promise<RetentionRun> {
  const now = options.now ?? new Date();
  const policies = await db.withPlatform((tx) => listRetentionPolicies(tx, DEFAULT_RETENTION_DAYS));
  const run: RetentionRun = { workspaces: policies.length, deleted: 0, byWorkspace: [] };
  for (const policy of policies) {
    const days = Math.min(MAX_RETENTION_DAYS, Math.max(MIN_RETENTION_DAYS, policy.days));
    const cutoff = new Date(now.getTime() - days * DAY_MS);
    try {
      const deleted = await db.withPlatform(async (tx) => {
        await tx.query("select set_config('atrium.audit_retention', 'on', true)");
        return deleteChainPrefix(tx, policy.workspaceId, cutoff);
      });
      if (deleted > 0) {
        run.deleted += deleted;
        run.byWorkspace.push({ workspaceId: policy.workspaceId, deleted });
        options.log?.info({ workspaceId: policy.workspaceId, deleted, retentionDays: days }, 'audit retention applied');
      }
    } catch (err) {
      // One workspace failing must not stop the others; the next run retries it.
      options.log?.error({ err, workspaceId: policy.workspaceId }, 'audit retention failed for a workspace');
    }
  }
  return run;
}
