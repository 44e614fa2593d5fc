// Inbound webhooks through the real app: signature, timestamp tolerance, idempotency (also
// under a race), refusals stored as answers, ordering key, secret rotation, replay (API and the
// module function the CLI uses), and what is stored.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import { systemContext } from '../../audit/index.ts';
import { webhooksErrors } from '../webhooks.errors.ts';
import type { InboundTrigger } from '../webhooks.context.ts';
import { bearer, createWorkspaceWithUsers, signedHeaders } from '../webhooks.fixtures.ts';
import type { TestWorkspace } from '../webhooks.fixtures.ts';

describe('inbound webhooks', () => {
  let platform: TestPlatform;
  let a: TestWorkspace;
  let b: TestWorkspace;
  const triggers: InboundTrigger[] = [];
  let refuseWith: 'none' | 'conflict' = 'none';

  before(async () => {
    platform = await startTestPlatform();
    a = await createWorkspaceWithUsers(platform, 'hooks-a');
    b = await createWorkspaceWithUsers(platform, 'hooks-b');
    // The workflows module's starter, replaced by a recorder (and any workflow id exists).
    platform.webhooks.replaceInboundTarget(async (_tx, trigger) => {
      if (refuseWith === 'conflict') throw webhooksErrors.create('ENDPOINT_DISABLED', 'refused by the test target');
      triggers.push(trigger);
      return { executionId: uuidv7() };
    }, async () => true);
  });
  after(async () => {
    await platform.stop();
  });

  async function createEndpoint(token: string, body: Record<string, unknown>) {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: bearer(token), payload: body });
    assert.equal(res.statusCode, 201, res.body);
    return res.json() as { id: string; url: string; secret: string; workflowId: string | null; isOrdered: boolean };
  }

  function deliver(endpointId: string, body: string | Buffer, headers: Record<string, string>) {
    return platform.app.inject({ method: 'POST', url: `/api/v1/hooks/${endpointId}`, headers, payload: body });
  }

  async function storedCount(endpointId: string, webhookId?: string): Promise<number> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ n: number }>(
      'select count(*)::int as n from webhook_inbound_deliveries where endpoint_id = $1 and ($2::text is null or webhook_id = $2)', [endpointId, webhookId ?? null]));
    return rows[0].n;
  }

  test('creation shows the secret once, with the URL to give the sender; reads never show it', async () => {
    const e = await createEndpoint(a.owner, { name: 'Stripe', workflowId: uuidv7() });
    assert.match(e.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(e.url, `${platform.config.publicUrl}/api/v1/hooks/${e.id}`);
    const got = await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${e.id}`, headers: bearer(a.member) });
    assert.equal(got.statusCode, 200);
    assert.equal(got.json().id, e.id);
    const list = await platform.app.inject({ method: 'GET', url: '/api/v1/webhook-endpoints', headers: bearer(a.owner) });
    for (const text of [got.body, list.body]) assert.ok(!text.includes(e.secret.slice(6)), 'the secret never comes back');
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ secret_sealed: string }>('select secret_sealed from webhook_endpoints where id = $1', [e.id]));
    assert.ok(!rows[0].secret_sealed.includes(e.secret.slice(6)), 'stored sealed, not in clear');
    // A member may read but not manage; workspace B does not see A's endpoint.
    const denied = await platform.app.inject({ method: 'POST', url: '/api/v1/webhook-endpoints', headers: bearer(a.member), payload: { name: 'x' } });
    assert.equal(denied.statusCode, 403);
    for (const url of [`/api/v1/webhook-endpoints/${e.id}`, `/api/v1/webhook-endpoints/${e.id}/deliveries`]) {
      const other = await platform.app.inject({ method: 'GET', url, headers: bearer(b.owner) });
      assert.equal(other.statusCode, 404, url);
    }
  });

  test('a signed delivery is accepted (202), starts the target once, and is stored without its signature', async () => {
    const e = await createEndpoint(a.owner, { name: 'orders', workflowId: uuidv7() });
    const body = JSON.stringify({ order: 42, note: 'é' });
    const headers = { ...signedHeaders(e.secret, body, { id: 'msg_first' }), authorization: 'Bearer should-not-be-stored', 'x-custom': 'kept' };
    const before = triggers.length;
    const res = await deliver(e.id, body, headers);
    assert.equal(res.statusCode, 202, res.body);
    const answer = res.json();
    assert.equal(answer.status, 'accepted');
    assert.match(answer.executionId, /^[0-9a-f-]{36}$/);
    assert.equal(triggers.length, before + 1);
    const t = triggers[triggers.length - 1];
    assert.deepEqual(t.payload, { order: 42, note: 'é' });
    assert.equal(t.workflowId, e.workflowId);
    assert.equal(t.webhookId, 'msg_first');
    assert.equal(t.orderingKey, null);

    const detail = await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${e.id}/deliveries/${answer.deliveryId}`, headers: bearer(a.owner) });
    assert.equal(detail.statusCode, 200, detail.body);
    const d = detail.json();
    assert.equal(d.body, body);
    assert.equal(d.outcome, 'accepted');
    assert.equal(d.executionId, answer.executionId);
    assert.deepEqual(d.responseBody, answer);
    assert.equal(d.headers['x-custom'], 'kept');
    assert.equal(d.headers['webhook-id'], 'msg_first');
    assert.equal(d.headers['webhook-signature'], undefined);
    assert.equal(d.headers.authorization, undefined);
  });

  test('a signed payload PostgreSQL can\'t hold is refused with a 422 the sender sees: never a 500, never a 202 that drops it', async () => {
    const e = await createEndpoint(a.owner, { name: 'hostile sender', workflowId: uuidv7() });
    const before = triggers.length;
    // Bytes that are not UTF-8, and a raw NUL byte: verified on the bytes, refused, nothing stored.
    for (const body of [Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), Buffer.from('{"a":"x\u0000y"}')]) {
      const res = await deliver(e.id, body, signedHeaders(e.secret, body));
      assert.equal(res.statusCode, 422, res.body);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'WEBHOOK_PAYLOAD_UNSTORABLE');
    }
    assert.equal(await storedCount(e.id), 0);
    // JSON spelling what jsonb refuses: the delivery is kept (its text is storable), the start refused, and a retry gets the same answer.
    for (const body of ['{"note":"a\\u0000b"}', '{"note":"\\ud800"}']) {
      const headers = signedHeaders(e.secret, body);
      const res = await deliver(e.id, body, headers);
      assert.equal(res.statusCode, 422, res.body);
      assert.equal(res.json().code, 'WEBHOOK_PAYLOAD_UNSTORABLE');
      assert.match(res.json().detail, /payload\.note/);
      const again = await deliver(e.id, body, headers);
      assert.equal(again.statusCode, 422);
      assert.equal(again.headers['webhook-duplicate'], 'true');
    }
    assert.equal(await storedCount(e.id), 2);
    assert.equal(triggers.length, before, 'nothing started');
    // A signature over other bytes than those sent is still a 401, not a 422.
    const forged = await deliver(e.id, Buffer.from([0xff]), signedHeaders(e.secret, 'something else'));
    assert.equal(forged.statusCode, 401);
  });

  test('a bad signature, a stale or future timestamp, missing headers: 401 problem+json, nothing stored or started', async () => {
    const e = await createEndpoint(a.owner, { name: 'strict', workflowId: uuidv7() });
    const body = '{"a":1}';
    const before = triggers.length;
    const cases: Array<[string, Record<string, string>, string]> = [
      ['tampered body', signedHeaders(e.secret, '{"a":2}'), 'WEBHOOK_SIGNATURE_INVALID'],
      ['another secret', signedHeaders('whsec_' + Buffer.alloc(32, 7).toString('base64'), body), 'WEBHOOK_SIGNATURE_INVALID'],
      ['stale timestamp', signedHeaders(e.secret, body, { at: new Date(Date.now() - 6 * 60_000) }), 'WEBHOOK_TIMESTAMP_STALE'],
      ['future timestamp', signedHeaders(e.secret, body, { at: new Date(Date.now() + 6 * 60_000) }), 'WEBHOOK_TIMESTAMP_STALE'],
      ['no signature', { 'content-type': 'application/json', 'webhook-id': 'x', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)) }, 'WEBHOOK_SIGNATURE_MISSING'],
    ];
    for (const [name, headers, code] of cases) {
      const res = await deliver(e.id, body, headers);
      assert.equal(res.statusCode, 401, name);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/, name);
      assert.equal(res.json().code, code, name);
    }
    assert.equal(triggers.length, before);
    assert.equal(await storedCount(e.id), 0);
    const unknown = await deliver(uuidv7(), body, signedHeaders(e.secret, body));
    assert.equal(unknown.statusCode, 404);
  });

  test('a duplicate webhook-id gets the first answer and starts nothing, even when racing', async () => {
    const e = await createEndpoint(a.owner, { name: 'dupes', workflowId: uuidv7() });
    const body = '{"n":1}';
    const first = await deliver(e.id, body, signedHeaders(e.secret, body, { id: 'msg_dup' }));
    assert.equal(first.statusCode, 202);
    const before = triggers.length;
    // Re-signed later with the same id (a sender's retry): same answer, no new start.
    const again = await deliver(e.id, body, signedHeaders(e.secret, body, { id: 'msg_dup' }));
    assert.equal(again.statusCode, 202);
    assert.deepEqual(again.json(), first.json());
    assert.equal(again.headers['webhook-duplicate'], 'true');
    assert.equal(triggers.length, before);

    const raced = await Promise.all(Array.from({ length: 12 }, () => deliver(e.id, body, signedHeaders(e.secret, body, { id: 'msg_race' }))));
    const answers = new Set(raced.map((r) => `${r.statusCode} ${r.body}`));
    assert.equal(answers.size, 1, [...answers].join('\n'));
    assert.equal(raced[0].statusCode, 202);
    assert.equal(triggers.length, before + 1, 'one start for twelve racing copies');
    assert.equal(await storedCount(e.id, 'msg_race'), 1);
    assert.equal(await storedCount(e.id, 'msg_dup'), 1);
  });

  test('a refusal by the target is the stored answer: the duplicate gets the same problem', async () => {
    const e = await createEndpoint(a.owner, { name: 'refused', workflowId: uuidv7() });
    const body = '{}';
    refuseWith = 'conflict';
    try {
      const first = await deliver(e.id, body, signedHeaders(e.secret, body, { id: 'msg_refused' }));
      assert.equal(first.statusCode, 410);
      const again = await deliver(e.id, body, signedHeaders(e.secret, body, { id: 'msg_refused' }));
      assert.equal(again.statusCode, 410);
      assert.deepEqual(again.json(), first.json());
      assert.equal(first.json().detail, 'refused by the test target');
    } finally {
      refuseWith = 'none';
    }
    const list = await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${e.id}/deliveries?outcome=failed`, headers: bearer(a.owner) });
    assert.equal(list.json().data.length, 1);
    assert.equal(list.json().data[0].responseStatus, 410);
  });

  test('an ordered endpoint starts its executions under one ordering key; a disabled one answers 410', async () => {
    const e = await createEndpoint(a.owner, { name: 'ordered', workflowId: uuidv7(), isOrdered: true });
    const body = '{"seq":1}';
    assert.equal((await deliver(e.id, body, signedHeaders(e.secret, body))).statusCode, 202);
    assert.equal(triggers[triggers.length - 1].orderingKey, `webhook-endpoint:${e.id}`);

    const off = await platform.app.inject({ method: 'PATCH', url: `/api/v1/webhook-endpoints/${e.id}`, headers: bearer(a.owner), payload: { isEnabled: false } });
    assert.equal(off.statusCode, 200, off.body);
    const refused = await deliver(e.id, body, signedHeaders(e.secret, body));
    assert.equal(refused.statusCode, 410);
    assert.equal(refused.json().code, 'ENDPOINT_DISABLED');
  });

  test('rotation: the new secret verifies at once, the old one during the grace period only', async () => {
    const e = await createEndpoint(a.owner, { name: 'rotating' });
    const body = '{}';
    const rotated = await platform.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${e.id}/rotate-secret`, headers: bearer(a.owner), payload: { previousSecretValidForSeconds: 3600 } });
    assert.equal(rotated.statusCode, 200, rotated.body);
    const { secret, previousSecretExpiresAt } = rotated.json();
    assert.notEqual(secret, e.secret);
    assert.ok(previousSecretExpiresAt);
    assert.equal((await deliver(e.id, body, signedHeaders(secret, body))).statusCode, 202);
    assert.equal((await deliver(e.id, body, signedHeaders(e.secret, body))).statusCode, 202, 'old secret in its grace period');

    const revoked = await platform.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${e.id}/rotate-secret`, headers: bearer(a.owner), payload: { previousSecretValidForSeconds: 0 } });
    const latest = revoked.json().secret as string;
    assert.equal(revoked.json().previousSecretExpiresAt, null);
    assert.equal((await deliver(e.id, body, signedHeaders(secret, body))).statusCode, 401, 'the previous secret is revoked');
    assert.equal((await deliver(e.id, body, signedHeaders(latest, body))).statusCode, 202);
  });

  test('replay through the API: every delivery since the time re-runs once per replay id', async () => {
    const e = await createEndpoint(a.owner, { name: 'replayable', workflowId: uuidv7() });
    const since = new Date(Date.now() - 1000).toISOString();
    for (let i = 0; i < 3; i++) {
      const body = JSON.stringify({ i });
      assert.equal((await deliver(e.id, body, signedHeaders(e.secret, body))).statusCode, 202);
    }
    const before = triggers.length;
    const replay = (payload: Record<string, unknown>) =>
      platform.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${e.id}/replay`, headers: bearer(a.owner), payload });
    const first = await replay({ since });
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual({ ...(first.json() as Record<string, unknown>), replayId: 'x' }, { replayId: 'x', total: 3, replayed: 3, skipped: 0, failed: 0, remaining: 0 });
    const rerun = triggers.slice(before);
    assert.deepEqual(rerun.map((t) => t.payload), [{ i: 0 }, { i: 1 }, { i: 2 }], 'in arrival order');
    assert.ok(rerun.every((t) => t.replayId === first.json().replayId));

    const resumed = await replay({ since, replayId: first.json().replayId });
    assert.equal(resumed.json().replayed, 0);
    assert.equal(resumed.json().skipped, 3);
    assert.equal(triggers.length, before + 3, 'the same replay runs nothing twice');

    const detail = await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${e.id}/deliveries/${rerun[0].deliveryId}`, headers: bearer(a.owner) });
    assert.equal(detail.json().replays.length, 1);
    assert.equal(detail.json().replayCount, 1);
    // B can't replay A's endpoint.
    const other = await platform.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${e.id}/replay`, headers: bearer(b.owner), payload: { since } });
    assert.equal(other.statusCode, 404);
  });

  test('replay across workspaces (the CLI\'s function) covers every workspace, filters by endpoint, and resumes', async () => {
    const since = new Date(Date.now() - 1000);
    const ea = await createEndpoint(a.owner, { name: 'cli-a', workflowId: uuidv7() });
    const eb = await createEndpoint(b.owner, { name: 'cli-b', workflowId: uuidv7() });
    for (const e of [ea, eb]) {
      const body = '{"cli":true}';
      assert.equal((await deliver(e.id, body, signedHeaders(e.secret, body))).statusCode, 202);
    }
    const progress: string[] = [];
    const one = await platform.webhooks.replay(systemContext('test'), { since, endpointId: eb.id, onProgress: (d, t) => progress.push(`${d}/${t}`) });
    assert.equal(one.total, 1);
    assert.equal(one.replayed, 1);
    assert.equal(one.workspaces[0].workspaceId, b.workspaceId);
    assert.equal(progress[progress.length - 1], '1/1');

    const all = await platform.webhooks.replay(systemContext('test'), { since });
    assert.ok(all.total >= 2);
    assert.deepEqual(new Set(all.workspaces.map((w) => w.workspaceId)), new Set([a.workspaceId, b.workspaceId]));
    const again = await platform.webhooks.replay(systemContext('test'), { since, replayId: all.replayId });
    assert.equal(again.replayed, 0);
    assert.equal(again.skipped, all.total);
    // Each workspace's trail records its replay.
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ workspace_id: string }>(
      `select workspace_id from audit_events where action = 'webhook_endpoint.replayed' and diff->'after'->>'replayId' = $1`, [all.replayId]));
    assert.ok(rows.some((r) => r.workspace_id === a.workspaceId) && rows.some((r) => r.workspace_id === b.workspaceId));
  });

  test('every mutation records its audit event', async () => {
    const e = await createEndpoint(a.owner, { name: 'audited' });
    await platform.app.inject({ method: 'PATCH', url: `/api/v1/webhook-endpoints/${e.id}`, headers: bearer(a.owner), payload: { name: 'renamed' } });
    await platform.app.inject({ method: 'POST', url: `/api/v1/webhook-endpoints/${e.id}/rotate-secret`, headers: bearer(a.owner), payload: {} });
    const del = await platform.app.inject({ method: 'DELETE', url: `/api/v1/webhook-endpoints/${e.id}`, headers: bearer(a.owner) });
    assert.equal(del.statusCode, 204);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ action: string; diff: unknown }>(
      `select action, diff from audit_events where target_id = $1 order by id`, [e.id]));
    assert.deepEqual(rows.map((r) => r.action), ['webhook_endpoint.created', 'webhook_endpoint.updated', 'webhook_endpoint.secret_rotated', 'webhook_endpoint.deleted']);
    assert.ok(!JSON.stringify(rows).includes(e.secret.slice(6)));
    assert.equal((await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-endpoints/${e.id}`, headers: bearer(a.owner) })).statusCode, 404);
  });
});
