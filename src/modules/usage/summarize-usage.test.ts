// Analytics read rollups where they are complete and raw events elsewhere: whatever the window
// (aligned on days, on hours, or not at all) and the grouping, the sums equal the raw events'.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { planSources, summarizeUsage } from './summarize-usage.ts';
import { quantileOf } from './latency-buckets.ts';

const HOUR = 3_600_000;

describe('usage analytics: rollups + live events = raw events', () => {
  let platform: TestPlatform;
  let t: Tenant;
  let other: Tenant;
  const now = new Date();

  before(async () => {
    platform = await startTestPlatform();
    t = await createTenant(platform, 'rollups');
    // 600 events over the last 80 hours: 3 models, 2 statuses, priced and unpriced, latencies from 5 ms to 20 s.
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_events (workspace_id, occurred_at, provider_name, operation, api_format, model, input_tokens, output_tokens, cost_micros, pricing, usage_source, status, provider_latency_ms)
       select $1, $2::timestamptz - (i * interval '8 minutes'), 'p' || (i % 2), 'chat', 'openai', 'm' || (i % 3), i, i * 2,
              case when i % 7 = 0 then null else i * 10 end, case when i % 7 = 0 then 'unpriced' else 'priced' end,
              case when i % 5 = 0 then 'estimated' else 'provider' end, case when i % 11 = 0 then 'error' else 'ok' end, (i * 37) % 20000
         from generate_series(1, 600) i`, [t.workspaceId, now]));
    // A second workspace, for the platform admin's view across workspaces.
    other = await createTenant(platform, 'rollups-other');
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_events (workspace_id, occurred_at, provider_name, operation, api_format, model, input_tokens, output_tokens, cost_micros, pricing, usage_source, status, provider_latency_ms)
       select $1, $2::timestamptz - (i * interval '13 minutes'), 'p0', 'chat', 'openai', 'm9', 5, 5, 100, 'priced', 'provider', 'ok', 40
         from generate_series(1, 200) i`, [other.workspaceId, now]));
    await platform.db.withPlatform((tx) => tx.query(`update usage_rollup_watermark set rolled_to = date_trunc('hour', $1::timestamptz) - interval '5 days'`, [now]));
    await platform.usage.rollUp(now);
  });
  after(async () => {
    await platform.stop();
  });

  async function raw(from: Date, to: Date) {
    return platform.db.withPlatform(async (tx) => (await tx.query<{ calls: string; tokens: string; cost: string; unpriced: string; errors: string }>(
      `select count(*) as calls, sum(input_tokens + output_tokens) as tokens, coalesce(sum(cost_micros), 0) as cost, count(*) filter (where pricing = 'unpriced') as unpriced, count(*) filter (where status <> 'ok') as errors
         from usage_events where workspace_id = $1 and occurred_at >= $2 and occurred_at < $3`, [t.workspaceId, from, to])).rows[0]);
  }

  test('the rollups cover the closed hours, the watermark the last of them', async () => {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ granularity: string; n: string }>(`select granularity, count(*) as n from usage_rollups where workspace_id = $1 group by 1 order by 1`, [t.workspaceId]));
    assert.deepEqual(rows.map((r) => r.granularity), ['day', 'hour']);
    const mark = await platform.db.withPlatform(async (tx) => (await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark')).rows[0].rolled_to);
    assert.ok(mark.getTime() <= now.getTime() - 2 * 60_000 && mark.getTime() > now.getTime() - 2 * HOUR);
    // A second run changes nothing (idempotent).
    const count = async () => (await platform.db.withPlatform((tx) => tx.query<{ n: string; s: string }>('select count(*) as n, sum(calls) as s from usage_rollups where workspace_id = $1', [t.workspaceId]))).rows[0];
    const first = await count();
    await platform.db.withPlatform((tx) => tx.query(`update usage_rollup_watermark set rolled_to = date_trunc('hour', $1::timestamptz) - interval '5 days'`, [now]));
    await platform.usage.rollUp(now);
    assert.deepEqual(await count(), first);
  });

  for (const [name, fromOffsetH, toOffsetH] of [['aligned on days', 96, 0], ['unaligned edges', 79.37, 0.21], ['inside one hour', 3.9, 3.1], ['only the live part', 0.5, 0]] as const) {
    test(`sums equal the raw events: ${name}`, async () => {
      const from = new Date(now.getTime() - fromOffsetH * HOUR);
      const to = new Date(now.getTime() - toOffsetH * HOUR + 1);
      for (const groupBy of ['day', 'hour', 'model', 'status'] as const) {
        const s = await platform.db.withWorkspace(t.workspaceId, (tx) => summarizeUsage(tx, t.workspaceId, { from: from.toISOString(), to: to.toISOString(), groupBy, split: groupBy === 'day' ? 'model' : undefined }));
        const r = await raw(from, to);
        assert.equal(s.totals.calls, Number(r.calls), `${groupBy} calls`);
        assert.equal(s.totals.inputTokens + s.totals.outputTokens, Number(r.tokens ?? 0), `${groupBy} tokens`);
        assert.equal(s.totals.costMicros, Number(r.cost), `${groupBy} cost`);
        assert.equal(s.totals.unpricedCalls, Number(r.unpriced), `${groupBy} unpriced`);
        assert.equal(s.totals.errorCalls, Number(r.errors), `${groupBy} errors`);
        assert.equal(s.groups.reduce((n, g) => n + g.calls, 0), Number(r.calls), `${groupBy}: the groups add up`);
      }
    });
  }

  test('across workspaces (platform admins): the sums of every workspace, per workspace with its name', async () => {
    const from = new Date(now.getTime() - 79.37 * HOUR);
    const to = new Date(now.getTime() + 1);
    const all = await platform.db.withPlatform((tx) => summarizeUsage(tx, null, { from: from.toISOString(), to: to.toISOString(), groupBy: 'workspace' }));
    const [mine, theirs] = [await raw(from, to), await platform.db.withPlatform(async (tx) => (await tx.query<{ calls: string; cost: string }>(
      `select count(*) as calls, coalesce(sum(cost_micros), 0) as cost from usage_events where workspace_id = $1 and occurred_at >= $2 and occurred_at < $3`, [other.workspaceId, from, to])).rows[0])];
    assert.equal(all.totals.calls, Number(mine.calls) + Number(theirs.calls));
    assert.equal(all.totals.costMicros, Number(mine.cost) + Number(theirs.cost));
    const byWs = new Map(all.groups.map((g) => [g.key, g]));
    assert.equal(byWs.get(t.workspaceId)?.calls, Number(mine.calls));
    assert.equal(byWs.get(other.workspaceId)?.calls, Number(theirs.calls));
    assert.equal(all.labels[other.workspaceId], 'Workspace rollups-other');
    // Split by workspace per day: the same totals.
    const perDay = await platform.db.withPlatform((tx) => summarizeUsage(tx, null, { from: from.toISOString(), to: to.toISOString(), groupBy: 'day', split: 'workspace' }));
    assert.equal(perDay.groups.filter((g) => g.split === other.workspaceId).reduce((n, g) => n + g.calls, 0), Number(theirs.calls));
    // A workspace's own view never includes the other's calls.
    const own = await platform.db.withWorkspace(t.workspaceId, (tx) => summarizeUsage(tx, t.workspaceId, { from: from.toISOString(), to: to.toISOString(), groupBy: 'workspace' }));
    assert.deepEqual(own.groups.map((g) => g.key), [t.workspaceId]);
  });

  test('the source plan: days, then hours, then raw edges and the live part', () => {
    const day = (s: string) => new Date(`${s}Z`);
    const plan = planSources(day('2026-11-01T10:30:00'), day('2026-11-05T12:10:00'), day('2026-11-05T09:00:00'));
    assert.deepEqual(plan.days?.map((d) => d.toISOString()), ['2026-11-02T00:00:00.000Z', '2026-11-05T00:00:00.000Z']);
    assert.deepEqual(plan.hours.map((r) => r.map((d) => d.toISOString())), [['2026-11-01T11:00:00.000Z', '2026-11-02T00:00:00.000Z'], ['2026-11-05T00:00:00.000Z', '2026-11-05T09:00:00.000Z']]);
    assert.deepEqual(plan.raw.map((r) => r.map((d) => d.toISOString())), [['2026-11-01T10:30:00.000Z', '2026-11-01T11:00:00.000Z'], ['2026-11-05T09:00:00.000Z', '2026-11-05T12:10:00.000Z']]);
  });

  test('latency quantiles from the histogram', () => {
    assert.equal(quantileOf(new Map(), 0.5), null);
    assert.equal(quantileOf(new Map([[-1, 5]]), 0.5), null, 'calls without latency are not counted');
    // 100 calls in (100, 250] ms: the median is inside that bucket.
    const p50 = quantileOf(new Map([[4, 100]]), 0.5)!;
    assert.ok(p50 > 100 && p50 <= 250, String(p50));
  });

  // Last: it deletes events.
  test('retention: raw events past the plan\'s retention go, never before the rollups hold them; the sums stay', async () => {
    const DAY = 24 * HOUR;
    const count = async () => Number((await platform.db.withPlatform((tx) => tx.query<{ n: string }>('select count(*) as n from usage_events where workspace_id = $1', [t.workspaceId]))).rows[0].n);
    const before = await count();
    // 40 days on, with the rollups stuck five days back: nothing they do not hold may go.
    await platform.db.withPlatform((tx) => tx.query(`update usage_rollup_watermark set rolled_to = date_trunc('hour', $1::timestamptz) - interval '5 days'`, [now]));
    assert.equal((await platform.usage.applyRetention({ now: new Date(now.getTime() + 40 * DAY) })).deleted, 0);
    assert.equal(await count(), before);
    await platform.usage.rollUp(now);
    const from = new Date(Math.floor((now.getTime() - 96 * HOUR) / HOUR) * HOUR);
    const window = { from: from.toISOString(), to: new Date(now.getTime() + 1).toISOString(), groupBy: 'day' as const };
    const sums = await platform.db.withWorkspace(t.workspaceId, (tx) => summarizeUsage(tx, t.workspaceId, window));
    const run = await platform.usage.applyRetention({ now: new Date(now.getTime() + 40 * DAY) });
    const mark = await platform.db.withPlatform(async (tx) => (await tx.query<{ rolled_to: Date }>('select rolled_to from usage_rollup_watermark')).rows[0].rolled_to);
    const kept = await count();
    assert.ok(run.deleted > 0 && kept < before, `the free plan keeps 30 days (${run.deleted} deleted)`);
    assert.equal(kept, Number((await raw(mark, new Date(now.getTime() + 1))).calls), 'what is left is what the rollups do not hold yet');
    const after = await platform.db.withWorkspace(t.workspaceId, (tx) => summarizeUsage(tx, t.workspaceId, window));
    assert.deepEqual(after.totals, sums.totals, 'the analytics of the window are unchanged');
  });
});
