// Usage of a window, summed per bucket (hour, day, week, month) or per dimension (model,
// provider, API key, agent, status), optionally split by a second dimension (tokens per agent per
// day): calls, tokens, cost, unpriced and estimated calls, errors, provider latency p50/p95.
// Read from the rollups where they are complete (whole UTC days, then whole hours, before the
// watermark) and from the raw events elsewhere (the live hour, partial hours at the edges), so
// the sums equal the raw events exactly and a 90-day page reads thousands of rows, not millions.
// Unpriced calls are counted apart: their cost is unknown, not zero. With no workspace (the
// platform admin's path, in a platform transaction) the same sums run across every workspace,
// and `workspace` is one more dimension. API keys and workspaces come with their names (labels).
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import { usageWindow } from './usage-window.ts';
import { LATENCY_BUCKET_SQL, quantileOf } from './latency-buckets.ts';

export const GROUPS = ['hour', 'day', 'week', 'month', 'model', 'provider', 'apiKey', 'agent', 'status', 'workspace'] as const;
export type UsageGroup = (typeof GROUPS)[number];
export const SPLITS = ['model', 'provider', 'apiKey', 'agent', 'status', 'workspace'] as const;
export type UsageSplit = (typeof SPLITS)[number];

/** SQL of a group key over the unified source (`t`: the hour or day bucket, or the event's time). */
const KEY_SQL: Record<UsageGroup, string> = {
  hour: `date_trunc('hour', t at time zone 'UTC')`,
  day: `date_trunc('day', t at time zone 'UTC')`,
  week: `date_trunc('week', t at time zone 'UTC')`,
  month: `date_trunc('month', t at time zone 'UTC')`,
  model: 'model',
  provider: 'provider_name',
  apiKey: 'api_key_id',
  agent: 'agent_id',
  status: 'status',
  workspace: 'workspace_id',
};

/** How a group key is shown, applied to the grouped rows (formatting every source row would cost more than the sums). */
const KEY_TEXT: Record<UsageGroup, string> = {
  hour: `to_char(k, 'YYYY-MM-DD"T"HH24:00:00"Z"')`,
  day: `to_char(k, 'YYYY-MM-DD')`,
  week: `to_char(k, 'YYYY-MM-DD')`,
  month: `to_char(k, 'YYYY-MM')`,
  model: 'k',
  provider: `coalesce(k, '')`,
  apiKey: `coalesce(k::text, '')`,
  agent: `coalesce(k::text, '')`,
  status: 'k',
  workspace: 'k::text',
};

export type UsageTotals = {
  calls: number; inputTokens: number; outputTokens: number; costMicros: number; unpricedCalls: number; estimatedCalls: number; errorCalls: number;
  p50LatencyMs: number | null; p95LatencyMs: number | null;
};
export type UsageGroupRow = UsageTotals & { key: string; split?: string };
export type UsageSummary = {
  from: string; to: string; groupBy: UsageGroup; split: UsageSplit | null; currency: 'USD'; totals: UsageTotals; groups: UsageGroupRow[];
  /** Names of the API keys and workspaces among the keys and splits, by id. */
  labels: Record<string, string>;
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const ceilTo = (d: Date, unit: number) => new Date(Math.ceil(d.getTime() / unit) * unit);
const floorTo = (d: Date, unit: number) => new Date(Math.floor(d.getTime() / unit) * unit);

type Range = [Date, Date];

/** Which part of [from, to) each source covers, given the watermark. */
export function planSources(from: Date, to: Date, watermark: Date): { days: Range | null; hours: Range[]; raw: Range[] } {
  const fromH = ceilTo(from, HOUR);
  const toH = floorTo(new Date(Math.min(to.getTime(), watermark.getTime())), HOUR);
  if (fromH >= toH) return { days: null, hours: [], raw: [[from, to]] };
  const fromD = ceilTo(fromH, DAY);
  const toD = floorTo(toH, DAY);
  const raw: Range[] = [];
  if (from < fromH) raw.push([from, fromH]);
  if (toH < to) raw.push([toH, to]);
  if (fromD >= toD) return { days: null, hours: [[fromH, toH]], raw };
  const hours: Range[] = [];
  if (fromH < fromD) hours.push([fromH, fromD]);
  if (toD < toH) hours.push([toD, toH]);
  return { days: [fromD, toD], hours, raw };
}

const ROLLUP_COLUMNS = 'bucket as t, workspace_id, api_key_id, agent_id, provider_name, model, status, latency_bucket, calls, input_tokens, output_tokens, cost_micros, unpriced_calls, estimated_calls, error_calls';
const RAW_COLUMNS = `occurred_at as t, workspace_id, api_key_id, agent_id, provider_name, model, status, ${LATENCY_BUCKET_SQL} as latency_bucket, 1 as calls, input_tokens, output_tokens,
  coalesce(cost_micros, 0) as cost_micros, (pricing = 'unpriced')::int as unpriced_calls, (usage_source = 'estimated')::int as estimated_calls, (status <> 'ok')::int as error_calls`;

type Row = { key: string; split: string | null; latency_bucket: number; calls: string; input_tokens: string; output_tokens: string; cost_micros: string; unpriced_calls: string; estimated_calls: string; error_calls: string };

/** Where the names of API keys come from (identity's door). */
export type ApiKeyNames = (tx: Tx, ids: string[]) => Promise<Record<string, string>>;

/** Names of the API keys (identity's door) or workspaces (tenancy's directory) among `ids`, as the transaction may see them. */
async function labelsOf(tx: Tx, dimension: UsageGroup, ids: Set<string>, apiKeyNames?: ApiKeyNames): Promise<Record<string, string>> {
  const list = [...ids].filter((id) => /^[0-9a-f-]{36}$/.test(id));
  if (list.length === 0) return {};
  if (dimension === 'apiKey') return apiKeyNames ? apiKeyNames(tx, list) : {};
  if (dimension !== 'workspace') return {};
  const { rows } = await tx.query<{ id: string; name: string }>('select id::text, name from workspace_directory where id = any($1::uuid[])', [list]);
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

/** `workspaceId` null: every workspace (the caller's transaction is the platform's). */
export async function summarizeUsage(tx: Tx, workspaceId: string | null, q: { from?: string; to?: string; groupBy?: UsageGroup; split?: UsageSplit }, apiKeyNames?: ApiKeyNames): Promise<UsageSummary> {
  const { from, to } = usageWindow(q);
  const groupBy = q.groupBy ?? 'day';
  const split = q.split ?? null;
  const { rows: [mark] } = await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark');
  const plan = planSources(from, to, mark.rolled_to);
  const values: unknown[] = [];
  const param = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const inWorkspace = workspaceId === null ? '' : `workspace_id = ${param(workspaceId)} and `;
  const parts: string[] = [];
  if (plan.days) parts.push(`select ${ROLLUP_COLUMNS} from usage_rollups where ${inWorkspace}granularity = 'day' and bucket >= ${param(plan.days[0])} and bucket < ${param(plan.days[1])}`);
  for (const [a, b] of plan.hours) parts.push(`select ${ROLLUP_COLUMNS} from usage_rollups where ${inWorkspace}granularity = 'hour' and bucket >= ${param(a)} and bucket < ${param(b)}`);
  for (const [a, b] of plan.raw) parts.push(`select ${RAW_COLUMNS} from usage_events where ${inWorkspace}occurred_at >= ${param(a)} and occurred_at < ${param(b)}`);
  const splitSql = split ? KEY_SQL[split] : 'null::text';
  const splitText = split ? KEY_TEXT[split].replace(/\bk\b/g, 'sp') : 'null';
  const { rows } = await tx.query<Row>(
    `select ${KEY_TEXT[groupBy]} as key, ${splitText} as split, latency_bucket, calls, input_tokens, output_tokens, cost_micros, unpriced_calls, estimated_calls, error_calls
       from (select ${KEY_SQL[groupBy]} as k, ${splitSql} as sp, latency_bucket,
                    sum(calls) as calls, sum(input_tokens) as input_tokens, sum(output_tokens) as output_tokens, sum(cost_micros) as cost_micros,
                    sum(unpriced_calls) as unpriced_calls, sum(estimated_calls) as estimated_calls, sum(error_calls) as error_calls
               from (${parts.join('\nunion all\n')}) s
              group by 1, 2, 3) g`, values);

  type Acc = Omit<UsageTotals, 'p50LatencyMs' | 'p95LatencyMs'> & { histogram: Map<number, number> };
  const empty = (): Acc => ({ calls: 0, inputTokens: 0, outputTokens: 0, costMicros: 0, unpricedCalls: 0, estimatedCalls: 0, errorCalls: 0, histogram: new Map() });
  const add = (acc: Acc, r: Row) => {
    const calls = toNumber(r.calls);
    acc.calls += calls;
    acc.inputTokens += toNumber(r.input_tokens);
    acc.outputTokens += toNumber(r.output_tokens);
    acc.costMicros += toNumber(r.cost_micros);
    acc.unpricedCalls += toNumber(r.unpriced_calls);
    acc.estimatedCalls += toNumber(r.estimated_calls);
    acc.errorCalls += toNumber(r.error_calls);
    acc.histogram.set(r.latency_bucket, (acc.histogram.get(r.latency_bucket) ?? 0) + calls);
  };
  const finish = ({ histogram, ...acc }: Acc): UsageTotals => ({ ...acc, p50LatencyMs: quantileOf(histogram, 0.5), p95LatencyMs: quantileOf(histogram, 0.95) });
  const totals = empty();
  const groups = new Map<string, { key: string; split: string | null; acc: Acc }>();
  for (const r of rows) {
    add(totals, r);
    const id = `${r.key}\u0000${r.split ?? ''}`;
    let g = groups.get(id);
    if (!g) groups.set(id, g = { key: r.key ?? '', split: r.split, acc: empty() });
    add(g.acc, r);
  }
  const isTime = ['hour', 'day', 'week', 'month'].includes(groupBy);
  const list = [...groups.values()].map((g) => ({ key: g.key, ...(split ? { split: g.split ?? '' } : {}), ...finish(g.acc) }));
  // Time in order; a dimension by cost, then calls (top agents, top keys first).
  list.sort((x, y) => (isTime ? x.key.localeCompare(y.key) || (x.split ?? '').localeCompare(y.split ?? '') : y.costMicros - x.costMicros || y.calls - x.calls || x.key.localeCompare(y.key)));
  const groupsShown = list.slice(0, 5000);
  const labels = {
    ...await labelsOf(tx, groupBy, new Set(groupsShown.map((g) => g.key)), apiKeyNames),
    ...(split ? await labelsOf(tx, split, new Set(groupsShown.map((g) => g.split ?? '')), apiKeyNames) : {}),
  };
  return { from: from.toISOString(), to: to.toISOString(), groupBy, split, currency: 'USD', totals: finish(totals), groups: groupsShown, labels };
}
