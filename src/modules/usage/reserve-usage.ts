// Before a model call: hold the call's most it can cost (prompt tokens + its output cap, priced)
// on every counter that has a limit, or refuse. The hold is committed before the call goes out,
// so concurrent calls see it; settleUsage replaces it with the real use afterwards.
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import type { UsageContext } from './usage.context.ts';
import { effectiveLimits, isLimited } from './effective-limits.ts';
import { periodEnd, periodOf } from './period.ts';
import { holdOnCounter, insertReservation, selectCounters } from './usage.store.ts';
import { usageErrors } from './usage.errors.ts';
import type { Limits, Reservation, UsageScope, UsageSubjects } from './usage.types.ts';
import type { QuotaRow } from './usage.store.ts';
import { counters } from '../../kernel/counters.ts';

export type ReserveInput = {
  subjects: UsageSubjects;
  /** The workspace's quota rows (the caller may cache them a few seconds: QuotaCache). */
  quotas: QuotaRow[];
  /** The workspace's plan (default limits). */
  plan: string;
  /**
   * The most the call can use (prompt + output cap) and cost (USD micro-units; null when the
   * model has no price). A function: counting a prompt is a tokenizer pass, needed only when a
   * limit applies.
   */
  most: () => { tokens: number; costMicros: number | null };
  /** False when the model (or one of its fallbacks) has no price. */
  isPriced: boolean;
  model: string;
};

const SCOPE_NAMES: Record<UsageScope, string> = { workspace: 'workspace', api_key: 'API key', agent: 'agent' };
const fmt = (n: number) => n.toLocaleString('en-US');
const usd = (micros: number) => `$${(micros / 1_000_000).toFixed(micros % 10_000 === 0 ? 2 : 6)}`;

/**
 * No transaction at all when no limit applies (the common case of an unlimited subject); else
 * one, committed before the call goes out.
 */
export async function reserveUsage(ctx: UsageContext, input: ReserveInput, now = new Date()): Promise<Reservation> {
  const period = periodOf(now);
  const subjects = effectiveLimits(input.quotas, input.subjects, input.plan, now);
  const workspaceId = input.subjects.workspaceId;
  const limited = subjects.filter(isLimited);
  if (!input.isPriced) {
    const costLimited = limited.find((s) => s.limits.costMicros !== null);
    if (costLimited) {
      throw usageErrors.create('MODEL_UNPRICED', `Model "${input.model}" has no price, and the ${SCOPE_NAMES[costLimited.scope]}'s monthly cost budget applies: a platform admin or a workspace admin must set its price (0 is allowed) before it can be used`, {
        extra: { type: 'model_unpriced', model: input.model },
      });
    }
  }
  // Nothing limited: nothing is held (and the prompt is not counted).
  if (limited.length === 0) return { id: null, workspaceId, period, subjects, tokens: 0, costMicros: 0 };
  const most = input.most();
  const reservation: Reservation = { id: null, workspaceId, period, subjects, tokens: most.tokens, costMicros: most.costMicros ?? 0 };
  reservation.id = await ctx.db.withWorkspace(workspaceId, async (tx) => {
    // Always the same order (workspace, API key, agent): two calls never wait on each other crosswise.
    for (const s of limited) {
      const held = await holdOnCounter(tx, workspaceId, period, s.scope, s.subjectId, reservation.tokens, reservation.costMicros, s.limits);
      if (!held) throw await refusal(tx, workspaceId, period, s, reservation);
    }
    return insertReservation(tx, workspaceId, { period, subjects: limited.map(({ scope, subjectId }) => ({ scope, subjectId })), tokens: reservation.tokens, costMicros: reservation.costMicros, ttlSeconds: ctx.reservationTtlSeconds });
  });
  return reservation;
}

async function refusal(tx: Tx, workspaceId: string, period: string, s: { scope: UsageScope; subjectId: string; limits: Limits }, r: Reservation) {
  const counter = (await selectCounters(tx, workspaceId, period)).find((c) => c.scope === s.scope && c.subject_id === s.subjectId);
  const spentTokens = toNumber(counter?.spent_tokens);
  const spentCost = toNumber(counter?.spent_cost_micros);
  const heldTokens = toNumber(counter?.reserved_tokens);
  const heldCost = toNumber(counter?.reserved_cost_micros);
  const resetsAt = periodEnd(period).toISOString();
  const isTokens = s.limits.tokens !== null && spentTokens + heldTokens + r.tokens > s.limits.tokens;
  counters.quotaRefusals.inc({ metric: isTokens ? 'tokens' : 'cost', scope: s.scope });
  const what = isTokens
    ? `monthly token quota: ${fmt(spentTokens)} of ${fmt(s.limits.tokens!)} tokens used${heldTokens ? ` and ${fmt(heldTokens)} held by calls in flight` : ''}; this call may use up to ${fmt(r.tokens)}`
    : `monthly cost budget: ${usd(spentCost)} of ${usd(s.limits.costMicros!)} spent${heldCost ? ` and ${usd(heldCost)} held by calls in flight` : ''}; this call may cost up to ${usd(r.costMicros)}`;
  return usageErrors.create('QUOTA_EXCEEDED', `Quota exceeded for the ${SCOPE_NAMES[s.scope]}'s ${what}. It resets at ${resetsAt}.`, {
    extra: { type: 'quota_exceeded', scope: s.scope, subjectId: s.subjectId, metric: isTokens ? 'tokens' : 'cost', resetsAt },
    headers: { 'retry-after': String(Math.max(1, Math.ceil((periodEnd(period).getTime() - Date.now()) / 1000))) },
  });
}
