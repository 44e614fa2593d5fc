// SQL of the usage ledger: quotas, counters and reservations, events, alerts. Every statement
// runs in a tenant transaction and names the workspace (RLS is the backstop).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import type { Limits, UsageEventInput, UsageScope } from './usage.types.ts';

export type QuotaRow = {
  scope: UsageScope; subject_id: string; monthly_tokens: string | null; monthly_cost_micros: string | null;
  extra_tokens: string | null; extra_cost_micros: string | null; extra_expires_at: Date | null; updated_at: Date; updated_by: string | null;
};

export async function selectQuotas(tx: Tx, workspaceId: string, subjects?: Array<{ scope: UsageScope; subjectId: string }>): Promise<QuotaRow[]> {
  if (subjects && subjects.length === 0) return [];
  const filter = subjects ? 'and (scope, subject_id) in (select * from unnest($2::text[], $3::uuid[]))' : '';
  const values: unknown[] = [workspaceId];
  if (subjects) values.push(subjects.map((s) => s.scope), subjects.map((s) => s.subjectId));
  const { rows } = await tx.query<QuotaRow>(
    `select scope, subject_id, monthly_tokens, monthly_cost_micros, extra_tokens, extra_cost_micros, extra_expires_at, updated_at, updated_by
       from usage_quotas where workspace_id = $1 ${filter} order by scope, subject_id`, values);
  return rows;
}

export type QuotaWrite = { scope: UsageScope; subjectId: string; monthlyTokens: number | null; monthlyCostMicros: number | null; extraTokens: number | null; extraCostMicros: number | null; extraExpiresAt: string | null; updatedBy: string | null };

export async function upsertQuota(tx: Tx, workspaceId: string, q: QuotaWrite): Promise<void> {
  await tx.query(
    `insert into usage_quotas (workspace_id, scope, subject_id, monthly_tokens, monthly_cost_micros, extra_tokens, extra_cost_micros, extra_expires_at, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
     on conflict (workspace_id, scope, subject_id) do update set monthly_tokens = excluded.monthly_tokens, monthly_cost_micros = excluded.monthly_cost_micros,
       extra_tokens = excluded.extra_tokens, extra_cost_micros = excluded.extra_cost_micros, extra_expires_at = excluded.extra_expires_at,
       updated_by = excluded.updated_by, updated_at = now()`,
    [workspaceId, q.scope, q.subjectId, q.monthlyTokens, q.monthlyCostMicros, q.extraTokens, q.extraCostMicros, q.extraExpiresAt, q.updatedBy]);
}

export async function deleteQuota(tx: Tx, workspaceId: string, scope: UsageScope, subjectId: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from usage_quotas where workspace_id = $1 and scope = $2 and subject_id = $3', [workspaceId, scope, subjectId]);
  return (rowCount ?? 0) > 0;
}

export type CounterRow = { scope: UsageScope; subject_id: string; spent_tokens: string; spent_cost_micros: string; reserved_tokens: string; reserved_cost_micros: string };

export async function selectCounters(tx: Tx, workspaceId: string, period: string): Promise<CounterRow[]> {
  const { rows } = await tx.query<CounterRow>(
    `select scope, subject_id, spent_tokens, spent_cost_micros, reserved_tokens, reserved_cost_micros
       from usage_counters where workspace_id = $1 and period = $2`, [workspaceId, period]);
  return rows;
}

/**
 * Hold `tokens` and `costMicros` on one counter if the limit leaves room. The update takes the
 * row lock and PostgreSQL re-checks the condition on the newest row version after waiting, so
 * concurrent calls are admitted one by one against the same total: no overrun by concurrency.
 * Returns the counter after the hold, or null when the limit is reached.
 */
export async function holdOnCounter(tx: Tx, workspaceId: string, period: string, scope: UsageScope, subjectId: string, tokens: number, costMicros: number, limits: Limits): Promise<CounterRow | null> {
  const hold = async () => (await tx.query<CounterRow>(
    `update usage_counters set reserved_tokens = reserved_tokens + $5, reserved_cost_micros = reserved_cost_micros + $6
      where workspace_id = $1 and scope = $2 and subject_id = $3 and period = $4
        and ($7::bigint is null or spent_tokens + reserved_tokens + $5 <= $7)
        and ($8::bigint is null or spent_cost_micros + reserved_cost_micros + $6 <= $8)
      returning scope, subject_id, spent_tokens, spent_cost_micros, reserved_tokens, reserved_cost_micros`,
    [workspaceId, scope, subjectId, period, tokens, costMicros, limits.tokens, limits.costMicros])).rows[0] ?? null;
  const held = await hold();
  if (held) return held;
  // No room, or no counter yet this period (a subject gets one when a limit first applies to it):
  // start it from the period's events, so a limit set mid-month counts what was already spent.
  const { rowCount } = await tx.query(
    `insert into usage_counters (workspace_id, scope, subject_id, period, spent_tokens, spent_cost_micros)
     select $1, $2, $3, $4, coalesce(sum(input_tokens + output_tokens), 0), coalesce(sum(cost_micros), 0)
       from usage_events
      where workspace_id = $1 and occurred_at >= $4::date and occurred_at < ($4::date + interval '1 month')
        and case $2 when 'api_key' then api_key_id = $3 when 'agent' then agent_id = $3 else true end
     on conflict do nothing`,
    [workspaceId, scope, subjectId, period]);
  return rowCount ? hold() : null;
}

/** The period's use of the given subjects from the events (for subjects without a counter). */
export async function sumPeriodUsage(tx: Tx, workspaceId: string, period: string): Promise<Array<{ scope: UsageScope; subject_id: string; tokens: string; cost_micros: string }>> {
  const { rows } = await tx.query<{ scope: UsageScope; subject_id: string; tokens: string; cost_micros: string }>(
    `select s.scope, s.subject_id, coalesce(sum(e.input_tokens + e.output_tokens), 0) as tokens, coalesce(sum(e.cost_micros), 0) as cost_micros
       from usage_events e
       cross join lateral (values ('workspace', e.workspace_id), ('api_key', e.api_key_id), ('agent', e.agent_id)) as s(scope, subject_id)
      where e.workspace_id = $1 and e.occurred_at >= $2::date and e.occurred_at < ($2::date + interval '1 month') and s.subject_id is not null
      group by 1, 2`, [workspaceId, period]);
  return rows;
}

/** Add the call's real use to a counter and give back what it held. Returns the new spend. */
export async function settleOnCounter(tx: Tx, workspaceId: string, period: string, scope: UsageScope, subjectId: string, spent: { tokens: number; costMicros: number }, held: { tokens: number; costMicros: number }): Promise<{ spentTokens: number; spentCostMicros: number }> {
  const { rows } = await tx.query<{ spent_tokens: string; spent_cost_micros: string }>(
    `insert into usage_counters as c (workspace_id, scope, subject_id, period, spent_tokens, spent_cost_micros) values ($1, $2, $3, $4, $5, $6)
     on conflict (workspace_id, scope, subject_id, period) do update set
       spent_tokens = c.spent_tokens + excluded.spent_tokens, spent_cost_micros = c.spent_cost_micros + excluded.spent_cost_micros,
       reserved_tokens = greatest(0, c.reserved_tokens - $7), reserved_cost_micros = greatest(0, c.reserved_cost_micros - $8)
     returning spent_tokens, spent_cost_micros`,
    [workspaceId, scope, subjectId, period, spent.tokens, spent.costMicros, held.tokens, held.costMicros]);
  return { spentTokens: toNumber(rows[0].spent_tokens), spentCostMicros: toNumber(rows[0].spent_cost_micros) };
}

export async function insertReservation(tx: Tx, workspaceId: string, r: { period: string; subjects: Array<{ scope: UsageScope; subjectId: string }>; tokens: number; costMicros: number; ttlSeconds: number }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into usage_reservations (workspace_id, period, subjects, tokens, cost_micros, expires_at)
     values ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) returning id`,
    [workspaceId, r.period, JSON.stringify(r.subjects), r.tokens, r.costMicros, r.ttlSeconds]);
  return rows[0].id;
}

/** Remove a reservation; false when it was already released (by the sweeper). */
export async function deleteReservation(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from usage_reservations where workspace_id = $1 and id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export type ExpiredReservation = { workspace_id: string; id: string; period: string; subjects: Array<{ scope: UsageScope; subjectId: string }>; tokens: string; cost_micros: string };

export async function takeExpiredReservations(tx: Tx, limit: number): Promise<ExpiredReservation[]> {
  const { rows } = await tx.query<ExpiredReservation>(
    `delete from usage_reservations where (workspace_id, id) in (
       select workspace_id, id from usage_reservations where expires_at < now() order by expires_at limit $1 for update skip locked)
     returning workspace_id, id, to_char(period, 'YYYY-MM-DD') as period, subjects, tokens, cost_micros`, [limit]);
  return rows;
}

export async function releaseOnCounter(tx: Tx, workspaceId: string, period: string, scope: UsageScope, subjectId: string, tokens: number, costMicros: number): Promise<void> {
  await tx.query(
    `update usage_counters set reserved_tokens = greatest(0, reserved_tokens - $5), reserved_cost_micros = greatest(0, reserved_cost_micros - $6)
      where workspace_id = $1 and scope = $2 and subject_id = $3 and period = $4`,
    [workspaceId, scope, subjectId, period, tokens, costMicros]);
}

export async function insertUsageEvent(tx: Tx, e: UsageEventInput, id: string | null = null): Promise<{ id: string; occurredAt: Date }> {
  const { rows } = await tx.query<{ id: string; occurred_at: Date }>(
    `insert into usage_events (id, workspace_id, request_id, user_id, api_key_id, agent_id, provider_id, provider_name, operation, api_format, model, resolved_model,
       input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, pricing, usage_source, status, error_code, http_status,
       is_streamed, provider_latency_ms, overhead_ms, attempts)
     values (coalesce($27, atrium_uuidv7()), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26)
     returning id, occurred_at`,
    [e.subjects.workspaceId, e.requestId, e.subjects.userId ?? null, e.subjects.apiKeyId ?? null, e.subjects.agentId ?? null, e.providerId, e.providerName, e.operation, e.apiFormat,
      e.model, e.resolvedModel, e.inputTokens, e.outputTokens, e.cachedInputTokens, e.cacheWriteTokens, e.reasoningTokens, e.costMicros,
      e.costMicros === null ? 'unpriced' : 'priced', e.usageSource, e.status, e.errorCode, e.httpStatus, e.isStreamed, e.providerLatencyMs, e.overheadMs, e.attempts, id]);
  return { id: rows[0].id, occurredAt: rows[0].occurred_at };
}

export type AlertKind = 'threshold_80' | 'threshold_100' | 'burn_rate';

/** Record an alert once per (subject, period, kind, metric); true when this call recorded it. */
export async function insertAlertOnce(tx: Tx, workspaceId: string, a: { scope: UsageScope; subjectId: string; period: string; kind: AlertKind; metric: 'tokens' | 'cost'; details: Record<string, unknown> }): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into usage_alerts (workspace_id, scope, subject_id, period, kind, metric, details) values ($1, $2, $3, $4, $5, $6, $7)
     on conflict do nothing returning id`,
    [workspaceId, a.scope, a.subjectId, a.period, a.kind, a.metric, JSON.stringify(a.details)]);
  return rows[0]?.id ?? null;
}

export type AlertRow = { id: string; scope: UsageScope; subject_id: string; period: string; kind: AlertKind; metric: 'tokens' | 'cost'; details: Record<string, unknown>; created_at: Date };

export async function selectAlerts(tx: Tx, workspaceId: string, limit: number): Promise<AlertRow[]> {
  const { rows } = await tx.query<AlertRow>(
    `select id, scope, subject_id, to_char(period, 'YYYY-MM-DD') as period, kind, metric, details, created_at
       from usage_alerts where workspace_id = $1 order by created_at desc, id desc limit $2`, [workspaceId, limit]);
  return rows;
}
