// The CLI's replay: the deliveries received since a time, across workspaces (platform path to
// find them), each workspace replayed through the tenant path like the API does.
import type { AuditContext } from '../../audit/index.ts';
import { listReplayWorkspaces } from './endpoints.store.ts';
import { replayDeliveries } from './replay-deliveries.ts';
import type { ReplaySummary } from './replay-deliveries.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { uuidv7 } from '../../../kernel/ids.ts';

export type ReplayAllRequest = {
  since: Date;
  endpointId?: string | null;
  workspaceId?: string | null;
  /** Resume: deliveries this replay already re-ran are skipped. */
  replayId?: string;
  /** Called after each delivery: done and total over every workspace. */
  onProgress?: (done: number, total: number) => void;
};

export type ReplayAllSummary = { replayId: string; total: number; replayed: number; skipped: number; failed: number; workspaces: Array<ReplaySummary & { workspaceId: string }> };

export async function replayAll(ctx: WebhooksContext, audit: AuditContext, request: ReplayAllRequest): Promise<ReplayAllSummary> {
  const replayId = request.replayId ?? uuidv7();
  const groups = await ctx.db.withPlatform((tx) => listReplayWorkspaces(tx, { workspaceId: request.workspaceId ?? null, endpointId: request.endpointId ?? null, since: request.since }));
  const total = groups.reduce((n, g) => n + g.count, 0);
  const result: ReplayAllSummary = { replayId, total: 0, replayed: 0, skipped: 0, failed: 0, workspaces: [] };
  let offset = 0;
  for (const group of groups) {
    const base = offset;
    const summary = await replayDeliveries(ctx, audit, {
      workspaceId: group.workspaceId, endpointId: request.endpointId ?? null, since: request.since, replayId,
      onProgress: (done) => request.onProgress?.(base + (group.count - (group.count - done)), total),
    });
    offset += summary.total;
    request.onProgress?.(Math.min(offset, total), total);
    result.workspaces.push({ ...summary, workspaceId: group.workspaceId });
    result.total += summary.total;
    result.replayed += summary.replayed;
    result.skipped += summary.skipped;
    result.failed += summary.failed;
  }
  return result;
}
