// Per-agent webhooks over real HTTP against the fake provider: set up (secret once), sync mode
// (the answer in the response; a 202 naming the run when it outlasts the wait, never a silent
// timeout), duplicates racing (exactly one run, everyone the same answer), async mode (202,
// the answer POSTed to the callback, signed), refusals (signature, wrong door, unpublished,
// another workspace), the service identity's limits, and deletion with the agent.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { Webhook } from 'standardwebhooks';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { waitUntil } from '../../../test/helpers/wait.ts';
import { signedHeaders } from '../webhooks/webhooks.fixtures.ts';
import { servicePrincipal } from './agent-webhook.ts';

const PROVIDER_KEY = 'sk-fake-agent-webhooks-7d1e';

describe('agent webhooks', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let b: Tenant;
  let callbackServer: Server;
  let callbackUrl = '';
  const received: Array<{ headers: Record<string, string | string[] | undefined>; body: string }> = [];

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }

  async function deliver(agentId: string, secret: string, payload: unknown, options: { id?: string; path?: string } = {}) {
    const body = JSON.stringify(payload);
    const res = await fetch(`${platform.baseUrl}/api/v1${options.path ?? `/agents/${agentId}/webhook`}`, { method: 'POST', headers: signedHeaders(secret, body, { id: options.id }), body });
    return { status: res.status, json: await res.json() as Record<string, unknown>, isDuplicate: res.headers.get('webhook-duplicate') === 'true', contentType: res.headers.get('content-type') ?? '' };
  }

  async function createAgent(t: Tenant, name: string, model: string, options: { publish?: boolean; tools?: string[] } = {}): Promise<string> {
    const created = await api(t.tokens.admin, 'POST', '/agents', { name, config: { model, systemPrompt: 'You triage incoming events.', tools: options.tools ?? [] } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    if (options.publish !== false) assert.equal((await api(t.tokens.admin, 'POST', `/agents/${created.json.id}/publish`)).status, 200);
    return String(created.json.id);
  }

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({}, { listen: true });
    a = await createTenant(platform, 'agent-hooks-a');
    b = await createTenant(platform, 'agent-hooks-b');
    assert.equal((await api(a.tokens.owner, 'PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY })).status, 201);
    assert.equal((await api(a.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    assert.equal((await api(a.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' })).status, 201);
    platform.jobs.start(); // webhook runs and callback deliveries are jobs
    callbackServer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => callbackServer.listen(0, '127.0.0.1', resolve));
    callbackUrl = `http://127.0.0.1:${(callbackServer.address() as { port: number }).port}/answers`;
  });
  after(async () => {
    await platform.stop();
    await fake.close();
    await new Promise<void>((resolve) => callbackServer.close(() => resolve()));
  });

  let agentId = '';
  let secret = '';

  test('setting up: the secret is shown once, the URL is the agent\'s; members may not set it up, viewers read it', async () => {
    agentId = await createAgent(a, 'Triage', 'fake/gpt-4o-mini');
    const none = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/webhook`);
    assert.equal(none.status, 200);
    assert.equal(none.json.isSet, false);
    assert.equal((await api(a.tokens.member, 'PUT', `/agents/${agentId}/webhook`, { mode: 'sync' })).status, 403);
    const set = await api(a.tokens.admin, 'PUT', `/agents/${agentId}/webhook`, { mode: 'sync', waitSeconds: 10 });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.match(String(set.json.secret), /^whsec_/);
    assert.equal(set.json.url, `${platform.config.publicUrl}/api/v1/agents/${agentId}/webhook`);
    assert.equal(set.json.waitSeconds, 10);
    secret = String(set.json.secret);
    const again = await api(a.tokens.admin, 'PUT', `/agents/${agentId}/webhook`, { waitSeconds: 10 });
    assert.equal(again.json.secret, undefined, 'shown once');
    const read = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/webhook`);
    assert.equal(read.json.isSet, true);
    assert.equal(read.json.secret, undefined);
    // The generic endpoint list shows it as the agent's.
    const endpoints = await api(a.tokens.admin, 'GET', '/webhook-endpoints');
    const mine = (endpoints.json.data as Array<{ id: string; agentId: string | null }>).find((e) => e.id === agentId);
    assert.equal(mine?.agentId, agentId);
    const retarget = await api(a.tokens.admin, 'PATCH', `/webhook-endpoints/${agentId}`, { workflowId: agentId });
    assert.equal(retarget.status, 422);
    assert.equal(retarget.json.code, 'ENDPOINT_TARGET_FIXED');
    const audit = await platform.db.withPlatform(async (tx) => (await tx.query<{ action: string }>("select action from audit_events where workspace_id = $1 and action like 'agent.webhook%' order by occurred_at, id", [a.workspaceId])).rows);
    assert.deepEqual(audit.map((e) => e.action), ['agent.webhook_created', 'agent.webhook_updated']);
  });

  test('sync mode: the answer in the response; the run is the webhook\'s, as the agent\'s service identity, logged', async () => {
    const answer = await deliver(agentId, secret, { event: 'ticket.created', subject: 'Printer on fire' });
    assert.equal(answer.status, 200, JSON.stringify(answer.json));
    assert.equal(answer.json.status, 'completed');
    assert.match(String(answer.json.message), /^Echo: A webhook delivery arrived \(webhook-id msg_[a-z0-9]+\)[\s\S]*Printer on fire/);
    const run = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/runs/${answer.json.runId}`);
    assert.equal(run.json.trigger, 'webhook');
    assert.equal(run.json.version, 1);
    assert.equal(run.json.actorUserId, null);
    const logs = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/logs`);
    assert.ok((logs.json.data as Array<{ type: string; runId: string }>).some((l) => l.type === 'webhook_received' && l.runId === answer.json.runId));
  });

  test('the same webhook-id delivered 20 times at once starts exactly one run; every sender gets its answer', async () => {
    const id = `msg_race_${Date.now()}`;
    const answers = await Promise.all(Array.from({ length: 20 }, () => deliver(agentId, secret, { event: 'order.paid', order: 42 }, { id })));
    assert.ok(answers.every((r) => r.status === 200), JSON.stringify(answers.map((r) => r.status)));
    assert.equal(new Set(answers.map((r) => r.json.runId)).size, 1);
    assert.equal(answers.filter((r) => !r.isDuplicate).length, 1);
    assert.ok(answers.every((r) => /order/.test(String(r.json.message))));
    const runs = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>(
      `select count(*)::int as n from agent_runs r join webhook_inbound_deliveries d on d.workspace_id = r.workspace_id and d.id = r.delivery_id where d.webhook_id = $1`, [id])).rows[0].n);
    assert.equal(runs, 1);
  });

  test('a run that outlasts the wait answers 202 with the run and where the answer goes, never a silent timeout', async () => {
    assert.equal((await api(a.tokens.admin, 'POST', '/llm/prices', { model: 'slow-model', inputPerMtok: 100_000, outputPerMtok: 200_000 })).status, 201);
    const slow = await createAgent(a, 'Slow', 'fake/slow-model');
    const set = await api(a.tokens.admin, 'PUT', `/agents/${slow}/webhook`, { mode: 'sync', waitSeconds: 1 });
    const answer = await deliver(slow, String(set.json.secret), { event: 'x' });
    assert.equal(answer.status, 202, JSON.stringify(answer.json));
    assert.equal(answer.json.answerTo, 'status_url');
    assert.equal(answer.json.statusUrl, `/api/v1/agents/${slow}/runs/${answer.json.runId}`);
    const done = await waitUntil('the slow run to end', async () => {
      const r = await api(a.tokens.viewer, 'GET', String(answer.json.statusUrl).replace('/api/v1', ''));
      return r.json.status === 'completed' ? r : null;
    });
    assert.equal(done.json.trigger, 'webhook');
  });

  test('async mode: 202 at once; the answer is POSTed to the callback URL, signed with the callback secret', async () => {
    const set = await api(a.tokens.admin, 'PUT', `/agents/${agentId}/webhook`, { mode: 'async', callbackUrl });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    assert.match(String(set.json.callbackSecret), /^whsec_/);
    assert.equal(set.json.secret, undefined);
    const answer = await deliver(agentId, secret, { event: 'lead.new', name: 'Ada' });
    assert.equal(answer.status, 202);
    assert.equal(answer.json.status, 'accepted');
    assert.equal(answer.json.answerTo, 'callback');
    const posted = await waitUntil('the answer at the callback', () => received.find((r) => r.body.includes(String(answer.json.runId))));
    const verified = new Webhook(String(set.json.callbackSecret)).verify(posted.body, posted.headers as Record<string, string>) as { type: string; data: { runId: string; status: string; message: string; agentId: string } };
    assert.equal(verified.type, 'agent.webhook.answered');
    assert.equal(verified.data.agentId, agentId);
    assert.equal(verified.data.status, 'completed');
    assert.match(verified.data.message, /Ada/);
  });

  test('refusals: a bad signature, the generic door, an unpublished agent (stored: the retry gets it), another workspace\'s agent', async () => {
    const forged = await deliver(agentId, 'whsec_' + Buffer.alloc(32, 7).toString('base64'), { x: 1 });
    assert.equal(forged.status, 401);
    assert.equal(forged.json.code, 'WEBHOOK_SIGNATURE_INVALID');
    assert.equal((await deliver(agentId, secret, { x: 1 }, { path: `/hooks/${agentId}` })).status, 404, 'an agent\'s webhook is delivered to the agent only');
    const draft = await createAgent(a, 'Draft only', 'fake/gpt-4o-mini', { publish: false });
    const draftSecret = String((await api(a.tokens.admin, 'PUT', `/agents/${draft}/webhook`, {})).json.secret);
    const refused = await deliver(draft, draftSecret, { x: 1 }, { id: 'msg_unpublished' });
    assert.equal(refused.status, 409);
    assert.equal(refused.json.code, 'AGENT_NOT_PUBLISHED');
    assert.match(refused.contentType, /problem\+json/);
    assert.equal((await deliver(draft, draftSecret, { x: 1 }, { id: 'msg_unpublished' })).isDuplicate, true);
    const big = await deliver(agentId, secret, { text: 'x'.repeat(70 * 1024) });
    assert.equal(big.status, 413);
    assert.equal(big.json.code, 'AGENT_WEBHOOK_PAYLOAD_TOO_LARGE');
    // B can neither read nor set up A's agent's webhook.
    assert.equal((await api(b.tokens.admin, 'GET', `/agents/${agentId}/webhook`)).status, 404);
    assert.equal((await api(b.tokens.admin, 'PUT', `/agents/${agentId}/webhook`, {})).status, 404);
    assert.equal((await api(b.tokens.admin, 'POST', `/agents/${agentId}/webhook/rotate-secret`, {})).status, 404);
  });

  test('the service identity holds its role\'s permissions only', async () => {
    const asViewer = await platform.agents.tools.invoke('memory.remember', { text: 'Ada called' }, { db: platform.db, principal: servicePrincipal(a.workspaceId, 'viewer'), workspaceId: a.workspaceId, agentId, runId: null, signal: new AbortController().signal });
    assert.equal(asViewer.ok, false);
    assert.equal(!asViewer.ok && asViewer.error.code, 'TOOL_FORBIDDEN');
    const asMember = await platform.agents.tools.invoke('memory.remember', { text: 'Ada called' }, { db: platform.db, principal: servicePrincipal(a.workspaceId, 'member'), workspaceId: a.workspaceId, agentId, runId: null, signal: new AbortController().signal });
    assert.equal(asMember.ok, true);
  });

  test('rotation keeps the old secret valid for its grace period; deleting the webhook (or the agent) stops deliveries', async () => {
    const rotated = await api(a.tokens.admin, 'POST', `/agents/${agentId}/webhook/rotate-secret`, { previousSecretValidForSeconds: 60 });
    assert.equal(rotated.status, 200);
    assert.notEqual(rotated.json.secret, secret);
    assert.equal(rotated.json.hasPreviousSecret, true);
    assert.equal((await deliver(agentId, secret, { old: true })).status, 202, 'the old secret still verifies');
    assert.equal((await deliver(agentId, String(rotated.json.secret), { fresh: true })).status, 202);
    assert.equal((await api(a.tokens.admin, 'DELETE', `/agents/${agentId}/webhook`)).status, 204);
    assert.equal((await deliver(agentId, String(rotated.json.secret), { gone: true })).status, 404);
    assert.equal((await api(a.tokens.admin, 'DELETE', `/agents/${agentId}/webhook`)).json.code, 'AGENT_WEBHOOK_NOT_SET');
    const other = await createAgent(a, 'Short lived', 'fake/gpt-4o-mini');
    const otherSecret = String((await api(a.tokens.admin, 'PUT', `/agents/${other}/webhook`, { callbackUrl })).json.secret);
    assert.equal((await api(a.tokens.admin, 'DELETE', `/agents/${other}`)).status, 204);
    assert.equal((await deliver(other, otherSecret, { x: 1 })).status, 404);
    const left = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>('select (select count(*) from webhook_endpoints where id = $1) + (select count(*) from event_subscriptions where id = $1) as n', [other])).rows[0].n);
    assert.equal(Number(left), 0);
  });
});
