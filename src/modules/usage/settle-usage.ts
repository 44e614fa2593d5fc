// After a model call (answered, failed, or cut by the client): one usage event, the real use
// added to the month's counters of the limited subjects, the reservation given back, and the 80 % / 100 % / burn-rate
// alerts of the counters it crossed — all in one transaction, so the event and the spend never
// disagree. A call with no limit on any of its subjects moves no counter: its event alone is
// group-committed with the others settled at the same moment (usage-event-writer.ts).
import { uuidv7 } from '../../kernel/ids.ts';
import type { UsageContext } from './usage.context.ts';
import { checkAlerts } from './check-alerts.ts';
import { isLimited } from './effective-limits.ts';
import { deleteReservation, insertUsageEvent, settleOnCounter } from './usage.store.ts';
import type { Reservation, UsageEventInput } from './usage.types.ts';

export async function settleUsage(ctx: UsageContext, reservation: Reservation, event: UsageEventInput, id: string = uuidv7()): Promise<{ id: string; occurredAt: Date }> {
  const workspaceId = reservation.workspaceId;
  const tokens = event.inputTokens + event.outputTokens;
  const costMicros = event.costMicros ?? 0;
  // Nothing held, no counter to move: the event alone, group-committed with the calls beside it.
  if (reservation.id === null && !reservation.subjects.some(isLimited)) return ctx.eventWriter.write(event, id);
  return ctx.db.withWorkspace(workspaceId, async (tx) => {
    const recorded = await insertUsageEvent(tx, event, id);
    // A reservation the sweeper already released holds nothing any more.
    const isHeld = reservation.id !== null && await deleteReservation(tx, workspaceId, reservation.id);
    const heldSubjects = new Set(isHeld ? reservation.subjects.filter(isLimited).map((s) => `${s.scope}:${s.subjectId}`) : []);
    // Only limited subjects keep a counter (a hot row for every call would serialise a workspace's
    // calls on it); the others' use is read from the events (rollups) when shown.
    for (const s of reservation.subjects) {
      if (!isLimited(s)) continue;
      const held = heldSubjects.has(`${s.scope}:${s.subjectId}`) ? { tokens: reservation.tokens, costMicros: reservation.costMicros } : { tokens: 0, costMicros: 0 };
      if (tokens === 0 && costMicros === 0 && held.tokens === 0 && held.costMicros === 0) continue;
      const spent = await settleOnCounter(tx, workspaceId, reservation.period, s.scope, s.subjectId, { tokens, costMicros }, held);
      await checkAlerts(ctx, tx, { workspaceId, period: reservation.period, scope: s.scope, subjectId: s.subjectId, limits: s.limits, spent });
    }
    return recorded;
  });
}
