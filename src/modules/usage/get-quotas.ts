// The workspace's quotas as the console's gauges show them: every subject with a limit (the
// workspace always, API keys and agents that have one), its limits, the month's spend and what
// calls in flight hold, and the plan's limits (the ceiling a workspace admin may set).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import { limitsOfRow } from './effective-limits.ts';
import { periodEnd, periodOf } from './period.ts';
import { planLimits } from './plan-quotas.ts';
import { selectCounters, selectQuotas, sumPeriodUsage } from './usage.store.ts';
import type { Limits, UsageScope } from './usage.types.ts';

export type QuotaView = {
  scope: UsageScope; subjectId: string; source: 'plan' | 'custom';
  monthlyTokens: number | null; monthlyCostMicros: number | null;
  extra: { tokens: number | null; costMicros: number | null; expiresAt: string } | null;
  effective: Limits;
  spentTokens: number; spentCostMicros: number; reservedTokens: number; reservedCostMicros: number;
  updatedAt: string | null;
};

export type QuotasView = { period: string; resetsAt: string; currency: 'USD'; plan: string; planLimits: Limits; quotas: QuotaView[] };

export async function getQuotas(tx: Tx, workspaceId: string, plan: string, now = new Date()): Promise<QuotasView> {
  const period = periodOf(now);
  const [rows, counters] = await Promise.all([selectQuotas(tx, workspaceId), selectCounters(tx, workspaceId, period)]);
  // A subject without a counter (no limit, or no call since its limit was set) shows the period's events.
  const needsSums = [{ scope: 'workspace' as UsageScope, subject_id: workspaceId }, ...rows].some((r) => !counters.some((c) => c.scope === r.scope && c.subject_id === r.subject_id));
  const sums = needsSums ? await sumPeriodUsage(tx, workspaceId, period) : [];
  const counterOf = (scope: UsageScope, id: string) => counters.find((c) => c.scope === scope && c.subject_id === id)
    ?? (() => {
      const s = sums.find((x) => x.scope === scope && x.subject_id === id);
      return s ? { scope, subject_id: id, spent_tokens: s.tokens, spent_cost_micros: s.cost_micros, reserved_tokens: '0', reserved_cost_micros: '0' } : undefined;
    })();
  const views: QuotaView[] = rows.map((r) => {
    const c = counterOf(r.scope, r.subject_id);
    const isExtraLive = r.extra_expires_at !== null && r.extra_expires_at > now;
    return {
      scope: r.scope, subjectId: r.subject_id, source: 'custom',
      monthlyTokens: r.monthly_tokens === null ? null : toNumber(r.monthly_tokens),
      monthlyCostMicros: r.monthly_cost_micros === null ? null : toNumber(r.monthly_cost_micros),
      extra: isExtraLive ? { tokens: r.extra_tokens === null ? null : toNumber(r.extra_tokens), costMicros: r.extra_cost_micros === null ? null : toNumber(r.extra_cost_micros), expiresAt: r.extra_expires_at!.toISOString() } : null,
      effective: limitsOfRow(r, now),
      spentTokens: toNumber(c?.spent_tokens), spentCostMicros: toNumber(c?.spent_cost_micros), reservedTokens: toNumber(c?.reserved_tokens), reservedCostMicros: toNumber(c?.reserved_cost_micros),
      updatedAt: r.updated_at.toISOString(),
    };
  });
  if (!views.some((v) => v.scope === 'workspace')) {
    const c = counterOf('workspace', workspaceId);
    const limits = planLimits(plan);
    views.unshift({
      scope: 'workspace', subjectId: workspaceId, source: 'plan', monthlyTokens: limits.tokens, monthlyCostMicros: limits.costMicros, extra: null, effective: limits,
      spentTokens: toNumber(c?.spent_tokens), spentCostMicros: toNumber(c?.spent_cost_micros), reservedTokens: toNumber(c?.reserved_tokens), reservedCostMicros: toNumber(c?.reserved_cost_micros),
      updatedAt: null,
    });
  }
  views.sort((a, b) => (a.scope === 'workspace' ? -1 : b.scope === 'workspace' ? 1 : a.scope.localeCompare(b.scope) || a.subjectId.localeCompare(b.subjectId)));
  return { period, resetsAt: periodEnd(period).toISOString(), currency: 'USD', plan, planLimits: planLimits(plan), quotas: views };
}
