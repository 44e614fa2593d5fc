// Idempotency-Key on every creating POST (kernel/http/idempotency.ts), through the real app: a
// retry with the same key and body gets the first answer, byte for byte, and creates nothing
// more; another body is 422; keys are per workspace and per caller; they expire after 24 h.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestPlatform } from '../helpers/platform.ts';
import type { TestPlatform } from '../helpers/platform.ts';
import { createTenant } from '../helpers/tenants.ts';
import type { Tenant } from '../helpers/tenants.ts';

describe('Idempotency-Key on creating POSTs', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  before(async () => {
    platform = await startTestPlatform();
    a = await createTenant(platform, 'idem-a');
    b = await createTenant(platform, 'idem-b');
  });
  after(async () => {
    await platform.stop();
  });

  const post = (token: string, url: string, payload: unknown, key?: string) => platform.app.inject({
    method: 'POST', url: `/api/v1${url}`, payload: payload as Record<string, unknown>,
    headers: { authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
  });
  const count = async (tenant: Tenant, title: string) => platform.db.withPlatform(async (tx) =>
    (await tx.query<{ n: number }>('select count(*)::int as n from workflow_requests where workspace_id = $1 and title = $2', [tenant.workspaceId, title])).rows[0].n);

  test('every creating POST honours the key and documents it', () => {
    const creating = platform.routeTable.filter((r) => r.method === 'POST' && r.auth !== 'public');
    const doc = platform.app.swagger() as unknown as { paths: Record<string, Record<string, { parameters?: Array<{ name: string; in: string }>; responses: Record<string, unknown> }>> };
    const honoured: string[] = [];
    for (const r of creating) {
      const op = doc.paths[r.url.replace(/:(\w+)/g, '{$1}')]?.post;
      if (!op?.responses['201']) continue;
      assert.ok(op.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), `${r.url} documents no Idempotency-Key`);
      assert.ok(op.responses['422'], `${r.url} documents no 422`);
      honoured.push(r.url);
    }
    for (const url of ['/api/v1/requests', '/api/v1/tickets', '/api/v1/workflows', '/api/v1/invitations', '/api/v1/api-keys', '/api/v1/webhook-endpoints', '/api/v1/event-subscriptions', '/api/v1/roles']) {
      assert.ok(honoured.includes(url), `${url} should honour Idempotency-Key`);
    }
  });

  test('the same key and body: the first answer again, one request created', async () => {
    const body = { title: 'Idempotent request', frequency: 'weekly' };
    const first = await post(a.tokens.member, '/requests', body, 'create-request-1');
    assert.equal(first.statusCode, 201, first.body);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    // Keys of the body in another order are the same body.
    const again = await post(a.tokens.member, '/requests', { frequency: 'weekly', title: 'Idempotent request' }, 'create-request-1');
    assert.equal(again.statusCode, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body, first.body, 'byte for byte');
    assert.equal(await count(a, 'Idempotent request'), 1);
  });

  test('the same key with another body: 422, nothing created', async () => {
    await post(a.tokens.member, '/requests', { title: 'Keyed once', frequency: 'once' }, 'create-request-2');
    const other = await post(a.tokens.member, '/requests', { title: 'Keyed twice', frequency: 'once' }, 'create-request-2');
    assert.equal(other.statusCode, 422);
    assert.match(String(other.headers['content-type']), /^application\/problem\+json/);
    assert.equal(other.json().code, 'IDEMPOTENCY_KEY_REUSED');
    assert.equal(await count(a, 'Keyed twice'), 0);
  });

  test('keys belong to one caller of one workspace', async () => {
    const body = { title: 'Shared key', frequency: 'daily' };
    assert.equal((await post(a.tokens.member, '/requests', body, 'shared-key')).statusCode, 201);
    const byOwner = await post(a.tokens.owner, '/requests', body, 'shared-key');
    assert.equal(byOwner.headers['idempotent-replayed'], undefined, 'another user of A: a new request');
    const byB = await post(b.tokens.member, '/requests', body, 'shared-key');
    assert.equal(byB.statusCode, 201);
    assert.equal(byB.headers['idempotent-replayed'], undefined, 'B never gets A\'s answer');
    assert.equal(byB.json().workspaceId, b.workspaceId);
    assert.equal(await count(a, 'Shared key'), 2);
    assert.equal(await count(b, 'Shared key'), 1);
  });

  test('a refusal by the use-case is replayed; a refusal before it (permission, validation) claims no key', async () => {
    const missing = { subject: 'About a run', description: 'It failed', executionId: '01a20000-0000-7000-8000-000000000009' };
    const refused = await post(a.tokens.member, '/tickets', missing, 'ticket-key');
    assert.equal(refused.statusCode, 404, refused.body);
    const replayed = await post(a.tokens.member, '/tickets', missing, 'ticket-key');
    assert.equal(replayed.statusCode, 404);
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.body, refused.body);

    assert.equal((await post(a.tokens.viewer, '/requests', { title: 'Not allowed', frequency: 'once' }, 'viewer-key')).statusCode, 403);
    assert.equal((await post(a.tokens.member, '/requests', { title: 'x', frequency: 'never' }, 'invalid-key')).statusCode, 400);
    const fixed = await post(a.tokens.member, '/requests', { title: 'Fixed', frequency: 'once' }, 'invalid-key');
    assert.equal(fixed.statusCode, 201, 'the corrected request goes through with the same key');
  });

  test('a retry while the first still runs: 409 with Retry-After; a claim left by a dead process frees after 5 minutes; an expired key runs again', async () => {
    const body = { title: 'Running', frequency: 'once' };
    const fingerprint = createHash('sha256').update(`POST /api/v1/requests\n{"frequency":"once","title":"Running"}`).digest('hex');
    await platform.db.withPlatform((tx) => tx.query(
      `insert into idempotency_keys (workspace_id, principal, key, fingerprint) values ($1, $2, 'running-key', $3)`, [a.workspaceId, `user:${a.userIds.member}`, fingerprint]));
    const running = await post(a.tokens.member, '/requests', body, 'running-key');
    assert.equal(running.statusCode, 409, running.body);
    assert.equal(running.json().code, 'IDEMPOTENCY_KEY_IN_PROGRESS');
    assert.equal(running.headers['retry-after'], '1');
    await platform.db.withPlatform((tx) => tx.query(`update idempotency_keys set created_at = now() - interval '6 minutes' where key = 'running-key'`));
    assert.equal((await post(a.tokens.member, '/requests', body, 'running-key')).statusCode, 201);
    assert.equal(await count(a, 'Running'), 1);

    const expiring = { title: 'Expiring', frequency: 'once' };
    await post(a.tokens.member, '/requests', expiring, 'expiring-key');
    await platform.db.withPlatform((tx) => tx.query(`update idempotency_keys set expires_at = now() - interval '1 second' where key = 'expiring-key'`));
    const later = await post(a.tokens.member, '/requests', expiring, 'expiring-key');
    assert.equal(later.headers['idempotent-replayed'], undefined);
    assert.equal(await count(a, 'Expiring'), 2);
  });

  test('a concurrent retry while the first is running: 409 IDEMPOTENCY_KEY_IN_PROGRESS', async () => {
    const body = { title: 'Concurrent', frequency: 'once' };
    const [one, two] = await Promise.all([post(a.tokens.member, '/requests', body, 'concurrent-key'), post(a.tokens.member, '/requests', body, 'concurrent-key')]);
    const statuses = [one.statusCode, two.statusCode].sort();
    assert.ok(statuses[0] === 201 && (statuses[1] === 201 || statuses[1] === 409), `got ${statuses}`);
    const conflict = [one, two].find((r) => r.statusCode === 409);
    if (conflict) {
      assert.equal(conflict.json().code, 'IDEMPOTENCY_KEY_IN_PROGRESS');
      assert.equal(conflict.headers['retry-after'], '1');
    }
    assert.equal(await count(a, 'Concurrent'), 1);
  });

  test('a malformed key is a 400 naming the header', async () => {
    const res = await post(a.tokens.member, '/requests', { title: 'Bad key', frequency: 'once' }, 'x'.repeat(300));
    assert.equal(res.statusCode, 400);
    assert.match(res.body, /idempotency-key/);
  });
});
