// Retention of API logs, by plan: free 30 days, pro 90, enterprise 365; rows without a
// workspace (login, public and platform-admin routes) 30 days. Run hourly by the job engine
// (`api_logs.retention`, cron 17 * * * *). Deletes in small batches, one short transaction each,
// on the platform path (the only one allowed to delete).
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import { deleteApiLogsBefore, listWorkspacesWithLogs } from './api-logs.store.ts';

export const DEFAULT_RETENTION_DAYS = 30;
export const RETENTION_DAYS_BY_PLAN: Readonly<Record<string, number>> = { free: 30, pro: 90, enterprise: 365 };
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCH = 5_000;

export type ApiLogRetentionRun = { deleted: number; byWorkspace: Array<{ workspaceId: string | null; deleted: number; retentionDays: number }> };

export function retentionDaysOf(plan: string | null): number {
  return (plan !== null ? RETENTION_DAYS_BY_PLAN[plan] : undefined) ?? DEFAULT_RETENTION_DAYS;
}

export async function applyApiLogRetention(db: Database, options: { now?: Date; log?: Logger; signal?: AbortSignal } = {}): Promise<ApiLogRetentionRun> {
  const now = options.now ?? new Date();
  const workspaces = await db.withPlatform((tx) => listWorkspacesWithLogs(tx));
  const targets: Array<{ workspaceId: string | null; days: number }> = [
    { workspaceId: null, days: DEFAULT_RETENTION_DAYS },
    ...workspaces.map((w) => ({ workspaceId: w.workspaceId, days: retentionDaysOf(w.plan) })),
  ];
  const run: ApiLogRetentionRun = { deleted: 0, byWorkspace: [] };
  for (const target of targets) {
    if (options.signal?.aborted) break; // the next run carries on
    const cutoff = new Date(now.getTime() - target.days * DAY_MS);
    let deleted = 0;
    for (;;) {
      const n = await db.withPlatform((tx) => deleteApiLogsBefore(tx, target.workspaceId, cutoff, BATCH));
      deleted += n;
      if (n < BATCH || options.signal?.aborted) break;
    }
    if (deleted > 0) {
      run.deleted += deleted;
      run.byWorkspace.push({ workspaceId: target.workspaceId, deleted, retentionDays: target.days });
      options.log?.info({ workspaceId: target.workspaceId, deleted, retentionDays: target.days }, 'api logs retention applied');
    }
  }
  return run;
}
