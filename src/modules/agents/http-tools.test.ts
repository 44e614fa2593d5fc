// The agents' HTTP tools against a real local server: an agent's chat calls http.get; secrets by
// name reach the server only for the hosts the workspace allows and never come back in the
// answer; private addresses need the workspace's setting; another workspace's secret is unknown;
// long bodies are cut for the model; errors are explained, not "failed".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { connectFakeProvider, startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { compileAccess } from '../access/index.ts';
import type { Permission } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';

const PROVIDER_KEY = 'sk-fake-http-tools-key-8d1e';
const CRM_TOKEN = 'crm-token-value-5b7f0c2a';

describe('agents: HTTP tools', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let server: http.Server;
  let target = '';
  const received: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];
  let a: Tenant;
  let b: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(!text.includes(CRM_TOKEN), 'a secret\'s value never comes back');
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
  const principal = (t: Tenant, permissions: Permission[]): Principal => ({
    kind: 'user', userId: t.userIds.member, apiKeyId: null, workspaceId: t.workspaceId, sessionId: null, isPlatformAdmin: false, role: 'member',
    access: compileAccess(permissions.map((p) => ({ permission: p, conditions: null })), t.userIds.member),
  } as Principal);
  const invoke = (t: Tenant, name: string, input: unknown) => platform.agents.tools.invoke(name, input, {
    db: platform.db, principal: principal(t, ['http.request']), workspaceId: t.workspaceId, agentId: null, runId: null, signal: new AbortController().signal,
  });

  before(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => { body += c.toString(); });
      req.on('end', () => {
        received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
        if (req.url === '/long') {
          res.writeHead(200, { 'content-type': 'text/plain', 'x-internal': 'dropped' });
          res.end('x'.repeat(100_000));
          return;
        }
        res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json', 'x-internal': 'dropped', 'x-request-id': 'req-1' });
        res.end(JSON.stringify({ method: req.method, path: req.url, authorization: req.headers.authorization ?? null, body }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'http-tools-a');
    b = await createTenant(platform, 'http-tools-b');
    for (const t of [a, b]) {
      assert.equal((await api(t.tokens.owner, 'PUT', '/secrets/CRM_TOKEN', { value: t === a ? CRM_TOKEN : 'b-token-never-sent-1234' })).status, 201);
    }
    await connectFakeProvider(platform.baseUrl, a.tokens, fake, PROVIDER_KEY);
  });
  after(async () => {
    await platform.stop();
    await fake.close();
    await new Promise((resolve) => server.close(resolve));
  });

  test('an agent\'s chat calls http.get; the answer (status, a few headers, the parsed body) goes back to the model', async () => {
    const created = await api(a.tokens.admin, 'POST', '/agents', { name: 'Fetcher', config: { model: 'fake/gpt-4o-mini', tools: ['http.get'] } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id as string;
    assert.equal((await api(a.tokens.admin, 'POST', `/agents/${id}/publish`, {})).status, 200);
    const chat = await api(a.tokens.member, 'POST', `/agents/${id}/chat`, { message: `call http__get ${JSON.stringify({ url: `${target}/orders?status=open` })}` });
    assert.equal(chat.json.status, 'completed', JSON.stringify(chat.json));
    const run = chat.json.run as { steps: Array<{ type: string; tool?: string; error?: unknown }> };
    const step = run.steps.find((s) => s.type === 'tool')!;
    assert.equal(step.tool, 'http.get');
    assert.equal(step.error, null);
    assert.match(String(chat.json.message), /"status":200/);
    assert.match(String(chat.json.message), /"path":"\/orders\?status=open"/);
    assert.match(String(chat.json.message), /"x-request-id":"req-1"/);
    assert.doesNotMatch(String(chat.json.message), /x-internal/, 'only useful headers reach the model');
    assert.equal(received.at(-1)!.method, 'GET');
  });

  test('a secret is sent only to the hosts the workspace allows, and is redacted from the answer', async () => {
    const before = received.length;
    const input = { method: 'POST', url: `${target}/contacts`, headers: { authorization: 'Bearer {{secrets.CRM_TOKEN}}' }, body: { name: 'Ada' } };
    const refused = await invoke(a, 'http.request', input);
    assert.ok(!refused.ok && refused.error.code === 'TOOL_FAILED' && /^SECRET_HOST_REFUSED: .*CRM_TOKEN.*agents\.http_secret_hosts/.test(refused.error.message), JSON.stringify(refused));
    assert.equal(received.length, before, 'nothing was sent');

    assert.equal((await api(a.tokens.member, 'PATCH', '/workspaces/current', { settings: { 'agents.http_secret_hosts': ['127.0.0.1'] } })).status, 403, 'a member may not open it');
    assert.equal((await api(a.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'agents.http_secret_hosts': ['not a host!'] } })).status, 400);
    assert.equal((await api(a.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'agents.http_secret_hosts': ['127.0.0.1'] } })).status, 200);
    const sent = await invoke(a, 'http.request', input);
    assert.ok(sent.ok, JSON.stringify(sent));
    assert.equal(received.at(-1)!.headers.authorization, `Bearer ${CRM_TOKEN}`, 'the server got the value');
    assert.equal(received.at(-1)!.body, '{"name":"Ada"}');
    const output = JSON.stringify(sent.output);
    assert.ok(!output.includes(CRM_TOKEN), 'the echo of the secret is redacted');
    assert.match(output, /Bearer \[REDACTED\]/);

    // A secret in the host is refused outright; a secret of workspace B is unknown to A.
    const inHost = await invoke(a, 'http.get', { url: 'https://{{secrets.CRM_TOKEN}}.example.com/' });
    assert.ok(!inHost.ok && /^SECRET_HOST_REFUSED: A secret cannot stand in the URL's host/.test(inHost.error.message), JSON.stringify(inHost));
    const unknown = await invoke(a, 'http.get', { url: `${target}/x`, headers: { authorization: '{{secrets.NOT_THERE}}' } });
    assert.ok(!unknown.ok && /^SECRET_NOT_FOUND: /.test(unknown.error.message), JSON.stringify(unknown));
  });

  test('private addresses need the workspace\'s setting; errors and statuses are explained; long bodies are cut', async () => {
    const refused = await invoke(b, 'http.get', { url: `${target}/x` });
    assert.ok(!refused.ok && /^PRIVATE_ADDRESS_REFUSED: .*network\.allow_private_addresses/.test(refused.error.message), JSON.stringify(refused));
    const metadata = await invoke(b, 'http.get', { url: 'http://169.254.169.254/latest/meta-data/' });
    assert.ok(!metadata.ok && /^PRIVATE_ADDRESS_REFUSED: /.test(metadata.error.message), JSON.stringify(metadata));

    const missing = await invoke(a, 'http.get', { url: `${target}/missing` });
    assert.ok(missing.ok && (missing.output as { status: number }).status === 404, 'a 404 is an answer the model reads');
    const long = await invoke(a, 'http.get', { url: `${target}/long` });
    assert.ok(long.ok);
    const out = long.output as { body: string; bodyTruncated?: boolean; headers: Record<string, string> };
    assert.equal(out.body.length, 32_000);
    assert.equal(out.bodyTruncated, true);
    assert.equal(out.headers['x-internal'], undefined);

    // A port nobody listens on: explained, with the origin only.
    const closed = await invoke(a, 'http.get', { url: 'http://127.0.0.1:1/nothing?token=abc' });
    assert.ok(!closed.ok && /^HTTP_FAILED: GET http:\/\/127\.0\.0\.1:1 could not be reached \(ECONNREFUSED\)$/.test(closed.error.message), JSON.stringify(closed));
    const badMethod = await invoke(a, 'http.request', { method: 'TRACE', url: `${target}/x` });
    assert.ok(!badMethod.ok && badMethod.error.code === 'TOOL_INPUT_INVALID');
  });
});
