// The ledger under a race: 1,000 concurrent reservations against a budget with room for 10
// admit exactly 10 (the issue allows 11); spend never passes the cap; nothing is refused below
// the cap when calls come one by one; 80 % and 100 % alerts fire once per period however many
// calls cross them; a reservation whose process died is given back by the sweeper.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { AppError } from '../../kernel/errors.ts';
import type { Reservation, UsageEventInput } from './index.ts';

describe('usage ledger: reservations, settlement, alerts', () => {
  let platform: TestPlatform;
  let t: Tenant;
  let keyId: string;

  before(async () => {
    platform = await startTestPlatform();
    t = await createTenant(platform, 'ledger');
    keyId = await platform.db.withPlatform(async (tx) => (await tx.query<{ id: string }>('select id from api_keys where workspace_id = $1', [t.workspaceId])).rows[0].id);
  });
  after(async () => {
    await platform.stop();
  });

  const subjects = () => ({ workspaceId: t.workspaceId, apiKeyId: keyId, userId: null, agentId: null });

  function event(tokens: number, costMicros: number): UsageEventInput {
    return {
      inputTokens: tokens, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, subjects: subjects(), requestId: null, providerId: null, providerName: 'test',
      operation: 'chat', apiFormat: 'internal', model: 'm', resolvedModel: 'm', costMicros, usageSource: 'provider', status: 'ok', errorCode: null, httpStatus: 200,
      isStreamed: false, providerLatencyMs: 1, overheadMs: 1, attempts: 1,
    };
  }

  async function reserve(tokens: number, costMicros: number): Promise<Reservation> {
    const quotas = await platform.db.withWorkspace(t.workspaceId, (tx) => platform.usage.quotaRows(tx, t.workspaceId));
    return platform.usage.reserve({ subjects: subjects(), quotas, plan: 'free', most: () => ({ tokens, costMicros }), isPriced: true, model: 'm' });
  }

  async function counter(scope: string, subjectId: string) {
    return platform.db.withPlatform(async (tx) => (await tx.query<{ spent_tokens: string; spent_cost_micros: string; reserved_tokens: string; reserved_cost_micros: string }>(
      'select * from usage_counters where workspace_id = $1 and scope = $2 and subject_id = $3', [t.workspaceId, scope, subjectId])).rows[0]);
  }

  test('1,000 concurrent calls against a budget with room for 10: 10 admitted, the cap never passed, 80 % and 100 % alerted once', async () => {
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_quotas (workspace_id, scope, subject_id, monthly_tokens, monthly_cost_micros) values ($1, 'workspace', $1, null, 10000)`, [t.workspaceId]));
    const outcomes = await Promise.allSettled(Array.from({ length: 1000 }, () => reserve(100, 1000)));
    const admitted = outcomes.filter((o): o is PromiseFulfilledResult<Reservation> => o.status === 'fulfilled').map((o) => o.value);
    const refusals = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    assert.equal(admitted.length, 10);
    assert.ok(refusals.every((r) => r.reason instanceof AppError && r.reason.code === 'QUOTA_EXCEEDED'), String(refusals.find((r) => !(r.reason instanceof AppError))?.reason));
    const held = await counter('workspace', t.workspaceId);
    assert.equal(Number(held.reserved_cost_micros), 10_000);
    await Promise.all(admitted.map((r) => platform.usage.settle(r, event(100, 1000))));
    const settled = await counter('workspace', t.workspaceId);
    assert.equal(Number(settled.spent_cost_micros), 10_000, 'spend is exactly the cap');
    assert.equal(Number(settled.reserved_cost_micros), 0);
    assert.equal(Number(settled.spent_tokens), 1000);
    await assert.rejects(reserve(1, 1), (err: unknown) => err instanceof AppError && err.code === 'QUOTA_EXCEEDED' && /monthly cost budget/.test(err.message));
    // The same thresholds crossed again (another settlement) alert nobody twice.
    await platform.usage.settle({ id: null, workspaceId: t.workspaceId, period: admitted[0].period, subjects: admitted[0].subjects, tokens: 0, costMicros: 0 }, event(1, 1));
    const alerts = await platform.db.withPlatform(async (tx) => (await tx.query<{ kind: string; metric: string }>('select kind, metric from usage_alerts where workspace_id = $1 order by kind', [t.workspaceId])).rows);
    assert.deepEqual(alerts.filter((a) => a.metric === 'cost').map((a) => a.kind).filter((k) => k !== 'burn_rate'), ['threshold_100', 'threshold_80']);
    const audited = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: string }>(`select count(*) as n from audit_events where workspace_id = $1 and action = 'budget.threshold_reached'`, [t.workspaceId])).rows[0].n);
    assert.equal(Number(audited), 2);
    const mails = await platform.db.withPlatform(async (tx) => (await tx.query<{ kind: string; to_address: string }>(`select kind, to_address from outbox_messages where workspace_id = $1 and kind like 'budget_threshold%' order by kind`, [t.workspaceId])).rows);
    assert.deepEqual(mails.map((m) => m.kind), ['budget_threshold_100', 'budget_threshold_80']);
    assert.ok(mails.every((m) => m.to_address === `owner-ledger@example.com`), 'owners are told');
  });

  test('one call at a time: nothing refused until the cap, the first call over it refused', async () => {
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_quotas (workspace_id, scope, subject_id, monthly_tokens, monthly_cost_micros) values ($1, 'api_key', $2, 100000, null)`, [t.workspaceId, keyId]));
    await platform.db.withPlatform((tx) => tx.query(`delete from usage_quotas where workspace_id = $1 and scope = 'workspace'`, [t.workspaceId]));
    const before = await platform.db.withPlatform(async (tx) => Number((await tx.query<{ s: string }>('select coalesce(sum(input_tokens + output_tokens), 0) as s from usage_events where workspace_id = $1 and api_key_id = $2', [t.workspaceId, keyId])).rows[0].s));
    assert.ok(before > 0, 'the key has spent already this month: its new counter starts from its events');
    let admitted = 0;
    for (;;) {
      try {
        const r = await reserve(1000, 0);
        await platform.usage.settle(r, event(1000, 0));
        admitted++;
      } catch (err) {
        assert.ok(err instanceof AppError && err.code === 'QUOTA_EXCEEDED', String(err));
        break;
      }
    }
    const spent = before + admitted * 1000;
    assert.ok(spent <= 100_000, 'never past the cap');
    assert.ok(spent + 1000 > 100_000, `refused only when the next call would pass the cap (spent ${spent})`);
    assert.equal(Number((await counter('api_key', keyId)).spent_tokens), spent);
  });

  test('a reservation whose call never settled is given back by the sweeper', async () => {
    await platform.db.withPlatform((tx) => tx.query(`delete from usage_quotas where workspace_id = $1`, [t.workspaceId]));
    await platform.db.withPlatform((tx) => tx.query(
      `insert into usage_quotas (workspace_id, scope, subject_id, monthly_tokens, monthly_cost_micros) values ($1, 'workspace', $1, 10000000, null)`, [t.workspaceId]));
    const r = await reserve(5000, 0);
    assert.ok(r.id);
    assert.equal(Number((await counter('workspace', t.workspaceId)).reserved_tokens), 5000);
    await platform.db.withPlatform((tx) => tx.query(`update usage_reservations set expires_at = now() - interval '1 second' where id = $1`, [r.id]));
    assert.equal(await platform.usage.releaseExpired(), 1);
    assert.equal(Number((await counter('workspace', t.workspaceId)).reserved_tokens), 0);
    // The late settlement then records the use without giving back a hold it no longer has.
    await platform.usage.settle(r, event(10, 0));
    const c = await counter('workspace', t.workspaceId);
    assert.equal(Number(c.reserved_tokens), 0);
  });
});
