// The alerts of one counter after a call: 80 % and 100 % of a limit, and the burn rate (at this
// month's pace, the date the budget runs out falls before the month ends). Each fires once per
// period (a unique row), with an audit event, an outbound event and a mail to the owners.
import type { Tx } from '../../kernel/db/database.ts';
import { systemContext } from '../audit/index.ts';
import type { UsageContext } from './usage.context.ts';
import { elapsedFraction, periodEnd } from './period.ts';
import type { AlertKind } from './usage.store.ts';
import { insertAlertOnce } from './usage.store.ts';
import type { Limits, UsageScope } from './usage.types.ts';

export const THRESHOLD_EVENT = 'budget.threshold_reached';
export const BURN_RATE_EVENT = 'budget.burn_rate_exceeded';

type CounterState = { workspaceId: string; period: string; scope: UsageScope; subjectId: string; limits: Limits; spent: { spentTokens: number; spentCostMicros: number } };

/** Burn-rate alerts wait for a tenth of the budget and a day of the month, so one early call does not project a run-out. */
const BURN_MIN_SPENT = 0.1;
const BURN_MIN_ELAPSED = 1 / 31;

export async function checkAlerts(ctx: UsageContext, tx: Tx, c: CounterState, now = new Date()): Promise<void> {
  const measures: Array<{ metric: 'tokens' | 'cost'; spent: number; limit: number | null }> = [
    { metric: 'tokens', spent: c.spent.spentTokens, limit: c.limits.tokens },
    { metric: 'cost', spent: c.spent.spentCostMicros, limit: c.limits.costMicros },
  ];
  for (const m of measures) {
    if (m.limit === null || m.limit <= 0) continue;
    const ratio = m.spent / m.limit;
    const fired: Array<{ kind: AlertKind; details: Record<string, unknown> }> = [];
    if (ratio >= 0.8) fired.push({ kind: 'threshold_80', details: { threshold: 0.8 } });
    if (ratio >= 1) fired.push({ kind: 'threshold_100', details: { threshold: 1 } });
    const elapsed = elapsedFraction(c.period, now);
    if (ratio < 1 && ratio >= BURN_MIN_SPENT && elapsed >= BURN_MIN_ELAPSED && ratio / elapsed > 1) {
      const start = new Date(`${c.period}T00:00:00Z`).getTime();
      const runsOutAt = new Date(start + (now.getTime() - start) / ratio);
      if (runsOutAt < periodEnd(c.period)) fired.push({ kind: 'burn_rate', details: { runsOutAt: runsOutAt.toISOString() } });
    }
    for (const f of fired) {
      const details = { ...f.details, spent: m.spent, limit: m.limit, ratio: Math.round(ratio * 10_000) / 10_000 };
      const id = await insertAlertOnce(tx, c.workspaceId, { scope: c.scope, subjectId: c.subjectId, period: c.period, kind: f.kind, metric: m.metric, details });
      if (id) await notify(ctx, tx, c, m.metric, f.kind, details);
    }
  }
}

const LABEL: Record<UsageScope, string> = { workspace: 'The workspace', api_key: 'An API key', agent: 'An agent' };

async function notify(ctx: UsageContext, tx: Tx, c: CounterState, metric: 'tokens' | 'cost', kind: AlertKind, details: Record<string, unknown>): Promise<void> {
  const payload = { scope: c.scope, subjectId: c.subjectId, period: c.period, metric, kind, ...details };
  const isBurn = kind === 'burn_rate';
  await ctx.audit.record(tx, systemContext('usage.alerts'), {
    workspaceId: c.workspaceId, action: isBurn ? 'budget.burn_rate_alerted' : 'budget.threshold_reached', targetType: c.scope, targetId: c.subjectId,
    diff: { after: payload },
  });
  await ctx.emit(tx, c.workspaceId, isBurn ? BURN_RATE_EVENT : THRESHOLD_EVENT, payload);
  const measure = metric === 'tokens' ? 'monthly token quota' : 'monthly AI cost budget';
  const line = kind === 'threshold_80' ? `has used 80 % of its ${measure}.`
    : kind === 'threshold_100' ? `has used all of its ${measure}: model calls are refused until ${periodEnd(c.period).toISOString().slice(0, 10)} or until the limit is raised.`
    : `is spending its ${measure} fast enough to run out on ${String(details.runsOutAt).slice(0, 10)}, before the month ends.`;
  const link = `${ctx.config.publicUrl.replace(/\/$/, '')}/usage`;
  const owners = (await ctx.identity.directory.listWorkspaceMembers(tx, c.workspaceId)).filter((m) => m.role === 'owner');
  for (const owner of owners) {
    await ctx.mail.enqueue(tx, {
      workspaceId: c.workspaceId, to: owner.email, kind: `budget_${kind}`,
      subject: `AI usage: ${LABEL[c.scope].toLowerCase()} ${kind === 'threshold_100' ? 'reached' : kind === 'threshold_80' ? 'is at 80 % of' : 'will run out of'} its ${measure}`,
      text: [`Hello ${owner.name || owner.email},`, '', `${LABEL[c.scope]} (${c.subjectId}) ${line}`, `Used: ${details.spent} of ${details.limit} ${metric === 'tokens' ? 'tokens' : 'USD micro-units'}.`, '', `See usage and change limits: ${link}`].join('\n'),
    });
  }
}
