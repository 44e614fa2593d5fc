// Group commit of usage events on the real database: a burst from several workspaces leaves in
// few transactions, every row lands in its own workspace with the id its caller was given, and a
// row the database refuses fails only its own caller (its neighbours land).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { createUsageEventWriter } from './usage-event-writer.ts';
import type { UsageEventInput } from './usage.types.ts';

describe('usage event writer (group commit)', () => {
  let platform: TestPlatform;
  let tenants: Tenant[];

  before(async () => {
    platform = await startTestPlatform();
    tenants = [await createTenant(platform, 'writer-a'), await createTenant(platform, 'writer-b'), await createTenant(platform, 'writer-c')];
  });
  after(async () => {
    await platform.stop();
  });

  function event(workspaceId: string, requestId: string, extra: Partial<UsageEventInput> = {}): UsageEventInput {
    return {
      inputTokens: 12, outputTokens: 30, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0,
      subjects: { workspaceId, apiKeyId: null, userId: null, agentId: null }, requestId, providerId: null, providerName: 'fake',
      operation: 'chat', apiFormat: 'openai', model: 'gpt-4o-mini', resolvedModel: 'gpt-4o-mini', costMicros: 7, usageSource: 'provider', status: 'ok',
      errorCode: null, httpStatus: 200, isStreamed: false, providerLatencyMs: 3, overheadMs: 1, attempts: 1, ...extra,
    };
  }

  async function rows(requestPrefix: string) {
    return platform.db.withPlatform(async (tx) => (await tx.query<{ id: string; workspace_id: string; request_id: string; cost_micros: string }>(
      'select id, workspace_id, request_id, cost_micros from usage_events where request_id like $1', [`${requestPrefix}%`])).rows);
  }

  test('a burst from three workspaces: few transactions, each row in its workspace under the id its caller got', async () => {
    const writer = createUsageEventWriter(platform.db);
    const sent = Array.from({ length: 300 }, (_, i) => ({ ws: tenants[i % 3].workspaceId, requestId: `burst-${i}` }));
    const results = await Promise.all(sent.map((s) => writer.write(event(s.ws, s.requestId))));
    const stats = writer.stats();
    assert.equal(stats.events, 300);
    assert.ok(stats.batches <= 3, `300 events settled in the same turn leave together (${stats.batches} transactions)`);
    const landed = new Map((await rows('burst-')).map((r) => [r.id, r]));
    assert.equal(landed.size, 300);
    sent.forEach((s, i) => {
      const row = landed.get(results[i].id);
      assert.ok(row, `the id given to caller ${i} is the row's`);
      assert.equal(row.workspace_id, s.ws);
      assert.equal(row.request_id, s.requestId);
      assert.ok(results[i].occurredAt instanceof Date);
    });
    // Under RLS, each workspace sees its own 100.
    for (const t of tenants) {
      const n = await platform.db.withWorkspace(t.workspaceId, async (tx) => (await tx.query<{ n: number }>(`select count(*)::int as n from usage_events where request_id like 'burst-%'`)).rows[0].n);
      assert.equal(n, 100);
    }
  });

  test('a row the database refuses fails its own caller only; the rest of its batch lands', async () => {
    const writer = createUsageEventWriter(platform.db);
    const writes = [
      ...Array.from({ length: 10 }, (_, i) => writer.write(event(tenants[0].workspaceId, `mixed-${i}`))),
      writer.write(event(tenants[1].workspaceId, `mixed-bad-${'x'.repeat(200)}`)), // request_id ≤ 128: a check constraint refuses it
      writer.write(event(tenants[2].workspaceId, 'mixed-nul', { model: 'bad\u0000model' })), // NUL: PostgreSQL refuses the text
      ...Array.from({ length: 10 }, (_, i) => writer.write(event(tenants[1].workspaceId, `mixed-late-${i}`))),
    ];
    const outcomes = await Promise.allSettled(writes);
    const refused = outcomes.map((o, i) => (o.status === 'rejected' ? i : -1)).filter((i) => i >= 0);
    assert.deepEqual(refused, [10, 11]);
    assert.equal((outcomes[10] as PromiseRejectedResult).reason.code, '23514');
    assert.equal((await rows('mixed-')).length, 20);
  });

  test('drain waits for what was written', async () => {
    const writer = createUsageEventWriter(platform.db);
    const pending = Array.from({ length: 5 }, (_, i) => writer.write(event(tenants[0].workspaceId, `drain-${i}`)));
    await writer.drain();
    assert.equal((await rows('drain-')).length, 5);
    await Promise.all(pending);
  });
});
