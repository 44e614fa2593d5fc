// Outbound webhooks end to end, with the job engine running and a real HTTP receiver on
// loopback that verifies every signature: emit in a transaction, retries recorded, persistent
// failure disabling the subscription with a notice in the outbox, redeliver, test ping, and the
// private-address guard (off by default; these tests turn the workspace setting on).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { bearer, createWorkspaceWithUsers, waitFor } from '../webhooks.fixtures.ts';
import type { TestWorkspace } from '../webhooks.fixtures.ts';

type Received = { path: string; body: string; headers: Record<string, string | string[] | undefined>; isVerified: boolean };

describe('outbound webhooks', () => {
  let platform: TestPlatform;
  let a: TestWorkspace;
  let receiver: Server;
  let base = '';
  const received: Received[] = [];
  const secrets = new Map<string, string>();
  /** Status to answer per path: a list is consumed one per request, its last value repeats. */
  const script = new Map<string, number[]>();

  before(async () => {
    platform = await startTestPlatform({
      ATRIUM_WEBHOOK_MAX_ATTEMPTS: '3', ATRIUM_WEBHOOK_BACKOFF_BASE_MS: '20', ATRIUM_WEBHOOK_BACKOFF_MAX_MS: '50', ATRIUM_WEBHOOK_DISABLE_AFTER: '2', ATRIUM_LOG_LEVEL: process.env.WH_LOG ?? 'silent',
    });
    a = await createWorkspaceWithUsers(platform, 'out-a');
    receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const path = req.url ?? '/';
        const body = Buffer.concat(chunks).toString('utf8');
        let isVerified = false;
        try {
          new Webhook(secrets.get(path) ?? 'whsec_AAAA').verify(body, req.headers as Record<string, string>);
          isVerified = true;
        } catch { /* recorded as unverified */ }
        received.push({ path, body, headers: req.headers, isVerified });
        const plan = script.get(path) ?? [200];
        const status = plan.length > 1 ? plan.shift()! : plan[0];
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'x'.repeat(10_000));
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const address = receiver.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    platform.jobs.start();
  });
  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  async function allowPrivate(isAllowed: boolean) {
    const res = await platform.app.inject({ method: 'PATCH', url: '/api/v1/workspaces/current', headers: bearer(a.owner), payload: { settings: { 'network.allow_private_addresses': isAllowed } } });
    assert.equal(res.statusCode, 200, res.body);
  }

  async function subscribe(path: string, eventTypes = ['execution.completed']) {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/event-subscriptions', headers: bearer(a.owner), payload: { url: `${base}${path}`, eventTypes } });
    assert.equal(res.statusCode, 201, res.body);
    const s = res.json() as { id: string; secret: string };
    secrets.set(path, s.secret);
    return s;
  }

  async function emit(type: string, data: unknown) {
    const emitted = await platform.db.withWorkspace(a.workspaceId, (tx) => platform.webhooks.emit(tx, a.workspaceId, type, data));
    /** The delivery of this event to one subscription. */
    const to = (subscriptionId: string): string => {
      const found = emitted.deliveries.find((d) => d.subscriptionId === subscriptionId);
      assert.ok(found, `a delivery to ${subscriptionId}`);
      return found.id;
    };
    return { ...emitted, to };
  }

  async function delivery(id: string) {
    const res = await platform.app.inject({ method: 'GET', url: `/api/v1/webhook-deliveries/${id}`, headers: bearer(a.owner) });
    assert.equal(res.statusCode, 200, res.body);
    return res.json() as { status: string; eventId: string; attemptCount: number; body: string; attempts: Array<{ attempt: number; statusCode: number | null; isSuccess: boolean; trigger: string; responseExcerpt: string | null }> };
  }

  test('loopback and private targets are refused unless the workspace allows them', async () => {
    for (const url of [`${base}/x`, 'http://localhost:9/x', 'http://[::1]/x', 'http://10.1.2.3/x', 'http://169.254.169.254/latest']) {
      const res = await platform.app.inject({ method: 'POST', url: '/api/v1/event-subscriptions', headers: bearer(a.owner), payload: { url, eventTypes: ['execution.completed'] } });
      assert.equal(res.statusCode, 422, url);
      assert.equal(res.json().code, 'TARGET_NOT_ALLOWED', url);
    }
    const unknownType = await platform.app.inject({ method: 'POST', url: '/api/v1/event-subscriptions', headers: bearer(a.owner), payload: { url: 'https://example.com/h', eventTypes: ['nope.happened'] } });
    assert.equal(unknownType.statusCode, 422);
    assert.equal(unknownType.json().code, 'UNKNOWN_EVENT_TYPE');
    await allowPrivate(true);
  });

  test('an emitted event reaches the receiver signed ({type, timestamp, data}); uncommitted emits send nothing', async () => {
    const s = await subscribe('/ok');
    await subscribe('/other-type', ['execution.failed']);
    const emitted = await emit('execution.completed', { executionId: 'e-1', status: 'completed' });
    assert.deepEqual(emitted.deliveries.map((d) => d.subscriptionId), [s.id], 'only the subscription listening to the type');
    // Emitted in a transaction that rolls back: no delivery, no job.
    await assert.rejects(platform.db.withWorkspace(a.workspaceId, async (tx) => {
      await platform.webhooks.emit(tx, a.workspaceId, 'execution.completed', { executionId: 'rolled-back' });
      throw new Error('rollback');
    }), /rollback/);

    const got = await waitFor('the delivery', async () => received.find((r) => r.path === '/ok'));
    assert.equal(got.isVerified, true, 'Standard Webhooks signature verifies with the subscription secret');
    assert.equal(got.headers['webhook-id'], (await delivery(emitted.to(s.id))).eventId, 'webhook-id is the event id');
    const body = JSON.parse(got.body);
    assert.equal(body.type, 'execution.completed');
    assert.deepEqual(body.data, { executionId: 'e-1', status: 'completed' });
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
    const d = await waitFor('success recorded', async () => { const x = await delivery(emitted.to(s.id)); return x.status === 'succeeded' && x; });
    assert.equal(d.attemptCount, 1);
    assert.equal(d.attempts[0].statusCode, 200);
    assert.equal(d.attempts[0].responseExcerpt, 'ok');
    assert.equal(d.body, got.body, 'the exact bytes sent are kept');
    const list = await platform.app.inject({ method: 'GET', url: `/api/v1/event-subscriptions/${s.id}/deliveries`, headers: bearer(a.member) });
    assert.equal(list.json().data.length, 1);
    assert.ok(!received.some((r) => r.body.includes('rolled-back')));
  });

  test('a failure is retried on the backoff and each attempt is recorded', async () => {
    script.set('/flaky', [500, 503, 200]);
    const s = await subscribe('/flaky');
    const emitted = await emit('execution.completed', { n: 1 });
    const d = await waitFor('success after retries', async () => { const x = await delivery(emitted.to(s.id)); return x.status === 'succeeded' && x; });
    assert.deepEqual(d.attempts.map((t) => [t.attempt, t.statusCode, t.isSuccess, t.trigger]), [[1, 500, false, 'automatic'], [2, 503, false, 'automatic'], [3, 200, true, 'automatic']]);
    assert.equal(d.attempts[0].responseExcerpt?.length, 4096, 'response excerpt capped at 4 KB');
    const ids = new Set(received.filter((r) => r.path === '/flaky').map((r) => r.headers['webhook-id']));
    assert.equal(ids.size, 1, 'every attempt carries the same webhook-id');
  });

  test('persistent failure disables the subscription and mails the owners; redeliver and test ping work by hand', async () => {
    script.set('/down', [500]);
    const s = await subscribe('/down');
    const first = await emit('execution.completed', { n: 1 });
    await waitFor('first delivery failed', async () => (await delivery(first.to(s.id))).status === 'failed');
    const afterOne = await platform.app.inject({ method: 'GET', url: `/api/v1/event-subscriptions/${s.id}`, headers: bearer(a.owner) });
    assert.equal(afterOne.json().isEnabled, true);
    assert.equal(afterOne.json().consecutiveFailures, 1);
    const second = await emit('execution.completed', { n: 2 });
    const failed = await waitFor('second delivery failed', async () => { const x = await delivery(second.to(s.id)); return x.status === 'failed' && x; });
    assert.equal(failed.attemptCount, 3, 'every attempt was made');

    const sub = (await platform.app.inject({ method: 'GET', url: `/api/v1/event-subscriptions/${s.id}`, headers: bearer(a.owner) })).json();
    assert.equal(sub.isEnabled, false);
    assert.match(sub.disabledReason, /2 deliveries in a row failed/);
    const mail = await platform.db.withPlatform((tx) => tx.query<{ to_address: string; subject: string }>(
      `select to_address, subject from outbox_messages where workspace_id = $1 and kind = 'webhook_subscription_disabled'`, [a.workspaceId]));
    assert.deepEqual(mail.rows.map((m) => m.to_address), [a.ownerEmail]);
    assert.match(mail.rows[0].subject, /\/down/);
    const audit = await platform.db.withPlatform((tx) => tx.query('select 1 from audit_events where action = $1 and target_id = $2', ['event_subscription.disabled', s.id]));
    assert.equal(audit.rowCount, 1);
    // A disabled subscription gets no new deliveries.
    assert.ok(!(await emit('execution.completed', { n: 3 })).deliveries.some((d) => d.subscriptionId === s.id));

    // The receiver is fixed: redeliver the failed one by hand, and ping.
    script.set('/down', [200]);
    const redelivered = await platform.app.inject({ method: 'POST', url: `/api/v1/webhook-deliveries/${second.to(s.id)}/redeliver`, headers: bearer(a.owner) });
    assert.equal(redelivered.statusCode, 202, redelivered.body);
    const d = await waitFor('redelivered', async () => { const x = await delivery(second.to(s.id)); return x.status === 'succeeded' && x; });
    assert.deepEqual(d.attempts.map((t) => t.trigger), ['automatic', 'automatic', 'automatic', 'manual']);
    const ping = await platform.app.inject({ method: 'POST', url: `/api/v1/event-subscriptions/${s.id}/test`, headers: bearer(a.owner) });
    assert.equal(ping.statusCode, 202, ping.body);
    const pinged = await waitFor('ping received', async () => received.find((r) => r.path === '/down' && JSON.parse(r.body).type === 'ping'));
    assert.equal(pinged.isVerified, true);

    // Enabling again resets the failure count.
    const on = await platform.app.inject({ method: 'PATCH', url: `/api/v1/event-subscriptions/${s.id}`, headers: bearer(a.owner), payload: { isEnabled: true } });
    assert.equal(on.json().isEnabled, true);
    assert.equal(on.json().consecutiveFailures, 0);
    assert.equal(on.json().disabledReason, null);
  });

  test('the guard also applies when sending: a private target is refused once the workspace forbids it again', async () => {
    const s = await subscribe('/guarded');
    await allowPrivate(false);
    try {
      const emitted = await emit('execution.completed', { n: 1 });
      const d = await waitFor('refused', async () => { const x = await delivery(emitted.to(s.id)); return x.status === 'failed' && x; });
      assert.equal(d.attemptCount, 1, 'a refused target is not retried');
      assert.equal(d.attempts[0].statusCode, null);
      assert.ok(!received.some((r) => r.path === '/guarded'));
      const sub = (await platform.app.inject({ method: 'GET', url: `/api/v1/event-subscriptions/${s.id}`, headers: bearer(a.owner) })).json();
      assert.equal(sub.consecutiveFailures, 1);
    } finally {
      await allowPrivate(true);
    }
  });

  test('secret rotation: deliveries carry both signatures during the grace period', async () => {
    const s = await subscribe('/rotating');
    const rotated = await platform.app.inject({ method: 'POST', url: `/api/v1/event-subscriptions/${s.id}/rotate-secret`, headers: bearer(a.owner), payload: {} });
    assert.equal(rotated.statusCode, 200);
    await emit('execution.completed', { n: 1 });
    const got = await waitFor('delivery', async () => received.find((r) => r.path === '/rotating'));
    assert.equal(got.isVerified, true, 'the old secret still verifies');
    new Webhook(rotated.json().secret).verify(got.body, got.headers as Record<string, string>);
    assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2);
  });
});
