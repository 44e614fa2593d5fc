// The limits that apply to a call's subjects this month: a quota row when there is one (plus a
// temporary increase until it expires), else the plan's limits for the workspace and none for
// an API key or an agent.
import { toNumber } from '../../kernel/db/pool.ts';
import { planLimits } from './plan-quotas.ts';
import type { QuotaRow } from './usage.store.ts';
import type { Limits, UsageScope, UsageSubjects } from './usage.types.ts';

export function subjectsOf(s: UsageSubjects): Array<{ scope: UsageScope; subjectId: string }> {
  const list: Array<{ scope: UsageScope; subjectId: string }> = [{ scope: 'workspace', subjectId: s.workspaceId }];
  if (s.apiKeyId) list.push({ scope: 'api_key', subjectId: s.apiKeyId });
  if (s.agentId) list.push({ scope: 'agent', subjectId: s.agentId });
  return list;
}

/** Whether a subject has any limit this month (only those keep a counter and a hold). */
export function isLimited(s: { limits: Limits }): boolean {
  return s.limits.tokens !== null || s.limits.costMicros !== null;
}

const orNull = (v: string | null): number | null => (v === null ? null : toNumber(v));

/** A quota row's limits now: the monthly ones plus an unexpired temporary increase. */
export function limitsOfRow(row: QuotaRow, now: Date): Limits {
  const isExtraLive = row.extra_expires_at !== null && row.extra_expires_at > now;
  const tokens = orNull(row.monthly_tokens);
  const cost = orNull(row.monthly_cost_micros);
  return {
    tokens: tokens === null ? null : tokens + (isExtraLive ? toNumber(row.extra_tokens) : 0),
    costMicros: cost === null ? null : cost + (isExtraLive ? toNumber(row.extra_cost_micros) : 0),
  };
}

/** `plan`: the workspace's plan (the default limits); `rows`: the workspace's quota rows, read by the caller. */
export function effectiveLimits(rows: QuotaRow[], subjects: UsageSubjects, plan: string, now: Date): Array<{ scope: UsageScope; subjectId: string; limits: Limits }> {
  const list = subjectsOf(subjects);
  return list.map((s) => {
    const row = rows.find((r) => r.scope === s.scope && r.subject_id === s.subjectId);
    if (row) return { ...s, limits: limitsOfRow(row, now) };
    if (s.scope === 'workspace') return { ...s, limits: planLimits(plan) };
    return { ...s, limits: { tokens: null, costMicros: null } };
  });
}
