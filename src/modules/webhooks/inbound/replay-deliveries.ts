// Replay stored inbound deliveries: each one is handed to its endpoint's current target again,
// in its own tenant transaction, with a row per (replay, delivery) claimed first, so running
// the same replay again (after an interruption, or twice) re-runs nothing twice.
import { AppError } from '../../../kernel/errors.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import type { AuditContext } from '../../audit/index.ts';
import { findEndpoint, findInboundById, insertReplay, listDeliveriesToReplay, listReplayedIds, setReplayOutcome } from './endpoints.store.ts';
import type { NewReplay } from './endpoints.store.ts';
import { parsePayload, startOf } from './receive-webhook.ts';
import type { WebhooksContext } from '../webhooks.context.ts';

export type ReplayRequest = {
  workspaceId: string;
  /** One endpoint, or every endpoint of the workspace. */
  endpointId: string | null;
  since: Date;
  until?: Date | null;
  /** Resume this replay; a new one when absent. */
  replayId?: string;
  /** At most this many deliveries re-run per call; the rest is `remaining`. */
  limit?: number;
  onProgress?: (done: number, total: number) => void;
};

export type ReplaySummary = { replayId: string; total: number; replayed: number; skipped: number; failed: number; remaining: number };

export async function replayDeliveries(ctx: WebhooksContext, audit: AuditContext, request: ReplayRequest): Promise<ReplaySummary> {
  const ws = request.workspaceId;
  const replayId = request.replayId ?? uuidv7();
  const window = { endpointId: request.endpointId, since: request.since, until: request.until ?? null };
  const { ids, done } = await ctx.db.withWorkspace(ws, async (tx) => ({
    ids: await listDeliveriesToReplay(tx, ws, window),
    done: await listReplayedIds(tx, ws, replayId),
  }));
  const todo = ids.filter((id) => !done.has(id));
  const batch = todo.slice(0, request.limit ?? todo.length);
  const summary: ReplaySummary = { replayId, total: ids.length, replayed: 0, skipped: ids.length - todo.length, failed: 0, remaining: todo.length - batch.length };
  const replayedBy = audit.actor;

  for (const [index, deliveryId] of batch.entries()) {
    const outcome = await replayOne(ctx, { workspaceId: ws, replayId, deliveryId, replayedBy });
    summary[outcome] += 1;
    request.onProgress?.(index + 1, batch.length);
  }

  await ctx.db.withWorkspace(ws, (tx) => ctx.audit.record(tx, audit, {
    workspaceId: ws, action: 'webhook_endpoint.replayed', targetType: 'webhook_endpoint', targetId: request.endpointId,
    diff: { before: null, after: { ...summary, since: request.since.toISOString(), until: window.until?.toISOString() ?? null } },
  }));
  return summary;
}

async function replayOne(ctx: WebhooksContext, r: { workspaceId: string; replayId: string; deliveryId: string; replayedBy: unknown }): Promise<'replayed' | 'skipped' | 'failed'> {
  const ws = r.workspaceId;
  const base: NewReplay = { ...r, outcome: 'accepted', executionId: null, error: null };
  try {
    return await ctx.db.withWorkspace(ws, async (tx) => {
      if (!(await insertReplay(tx, base))) return 'skipped';
      const delivery = await findInboundById(tx, ws, r.deliveryId);
      const endpoint = delivery ? await findEndpoint(tx, ws, delivery.endpoint_id) : null;
      if (!delivery || !endpoint) return 'skipped';
      const start = startOf(ctx, { id: endpoint.id, workspaceId: ws, targetKind: endpoint.target_kind, targetId: endpoint.target_id, isOrdered: endpoint.is_ordered });
      if (!start) return 'replayed';
      const { executionId } = await start(tx, {
        deliveryId: delivery.id, webhookId: delivery.webhook_id, payload: parsePayload(delivery.body, delivery.content_type), headers: delivery.headers, replayId: r.replayId,
      });
      await setReplayOutcome(tx, { ...base, executionId });
      return 'replayed';
    });
  } catch (err) {
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    await ctx.db.withWorkspace(ws, (tx) => insertReplay(tx, { ...base, outcome: 'failed', error: err.detail ?? err.title }));
    return 'failed';
  }
}
