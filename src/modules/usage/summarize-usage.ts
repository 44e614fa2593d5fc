// Usage of a window, summed per bucket (hour, day, week, month) or per dimension (model,
// provider, API key, agent, status): calls, tokens, cost, unpriced and estimated calls, errors,
// provider latency p50/p95. Unpriced calls are counted apart: their cost is unknown, not zero.
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import { usageWindow } from './usage-window.ts';

export const GROUPS = ['hour', 'day', 'week', 'month', 'model', 'provider', 'apiKey', 'agent', 'status'] as const;
export type UsageGroup = (typeof GROUPS)[number];

const KEY_SQL: Record<UsageGroup, string> = {
  hour: `to_char(date_trunc('hour', occurred_at at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  day: `to_char(date_trunc('day', occurred_at at time zone 'UTC'), 'YYYY-MM-DD')`,
  week: `to_char(date_trunc('week', occurred_at at time zone 'UTC'), 'YYYY-MM-DD')`,
  month: `to_char(date_trunc('month', occurred_at at time zone 'UTC'), 'YYYY-MM')`,
  model: 'model',
  provider: `coalesce(provider_name, '')`,
  apiKey: `coalesce(api_key_id::text, '')`,
  agent: `coalesce(agent_id::text, '')`,
  status: 'status',
};

export type UsageTotals = {
  calls: number; inputTokens: number; outputTokens: number; costMicros: number; unpricedCalls: number; estimatedCalls: number; errorCalls: number;
  p50LatencyMs: number | null; p95LatencyMs: number | null;
};
export type UsageSummary = { from: string; to: string; groupBy: UsageGroup; currency: 'USD'; totals: UsageTotals; groups: Array<UsageTotals & { key: string }> };

const MEASURES = `count(*) as calls, coalesce(sum(input_tokens), 0) as input_tokens, coalesce(sum(output_tokens), 0) as output_tokens,
  coalesce(sum(cost_micros), 0) as cost_micros, count(*) filter (where pricing = 'unpriced') as unpriced_calls,
  count(*) filter (where usage_source = 'estimated') as estimated_calls, count(*) filter (where status <> 'ok') as error_calls,
  percentile_cont(0.5) within group (order by provider_latency_ms) as p50, percentile_cont(0.95) within group (order by provider_latency_ms) as p95`;

type Row = { key?: string; calls: string; input_tokens: string; output_tokens: string; cost_micros: string; unpriced_calls: string; estimated_calls: string; error_calls: string; p50: number | null; p95: number | null };

function totalsOf(r: Row): UsageTotals {
  return {
    calls: toNumber(r.calls), inputTokens: toNumber(r.input_tokens), outputTokens: toNumber(r.output_tokens), costMicros: toNumber(r.cost_micros),
    unpricedCalls: toNumber(r.unpriced_calls), estimatedCalls: toNumber(r.estimated_calls), errorCalls: toNumber(r.error_calls),
    p50LatencyMs: r.p50 === null ? null : Math.round(r.p50), p95LatencyMs: r.p95 === null ? null : Math.round(r.p95),
  };
}

export async function summarizeUsage(tx: Tx, workspaceId: string, q: { from?: string; to?: string; groupBy?: UsageGroup }): Promise<UsageSummary> {
  const { from, to } = usageWindow(q);
  const groupBy = q.groupBy ?? 'day';
  const values = [workspaceId, from, to];
  const where = 'workspace_id = $1 and occurred_at >= $2 and occurred_at < $3';
  const [totals, groups] = await Promise.all([
    tx.query<Row>(`select ${MEASURES} from usage_events where ${where}`, values),
    tx.query<Row>(`select ${KEY_SQL[groupBy]} as key, ${MEASURES} from usage_events where ${where} group by 1 order by 1 limit 1000`, values),
  ]);
  return { from: from.toISOString(), to: to.toISOString(), groupBy, currency: 'USD', totals: totalsOf(totals.rows[0]), groups: groups.rows.map((r) => ({ key: r.key ?? '', ...totalsOf(r) })) };
}
