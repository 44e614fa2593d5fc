// The workspace's tools over MCP, driven by the official TypeScript client (Streamable HTTP) with
// API keys of two roles: the list shows what the key may use, calls run as the key (a viewer's
// key cannot write memory even by naming the tool), results are structured, bad input is a tool
// error, a malformed body a problem; workspace B's key never sees A's memories.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';

describe('mcp', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let aViewer: Tenant;
  let b: Tenant;
  const clients: Client[] = [];

  async function connect(apiKey: string): Promise<Client> {
    const client = new Client({ name: 'atrium-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${platform.baseUrl}/api/v1/mcp`), { requestInit: { headers: { authorization: `Bearer ${apiKey}` } } }));
    clients.push(client);
    return client;
  }

  before(async () => {
    platform = await startTestPlatform({}, { listen: true });
    a = await createTenant(platform, 'mcp-a', { apiKeyRole: 'member' });
    aViewer = await createTenant(platform, 'mcp-a-viewer', { apiKeyRole: 'viewer' });
    b = await createTenant(platform, 'mcp-b', { apiKeyRole: 'member' });
  });
  after(async () => {
    for (const c of clients) await c.close();
    await platform.stop();
  });

  test('the official client lists the tools a member key may use and calls one; the result is structured', async () => {
    const client = await connect(a.apiKey);
    assert.equal(client.getServerVersion()?.name, 'atrium');
    const { tools } = await client.listTools();
    const names = tools.map((t) => t.name);
    assert.ok(names.includes('memory__remember') && names.includes('memory__recall') && names.includes('time__now'), names.join(', '));
    assert.ok(!names.some((n) => n.startsWith('test')));
    const remember = tools.find((t) => t.name === 'memory__remember')!;
    assert.equal(remember.title, 'memory.remember');
    assert.deepEqual(remember.inputSchema.required, ['text']);
    const stored = await client.callTool({ name: 'memory__remember', arguments: { text: 'Acme pays its invoices on the 5th.', tags: ['billing'], isShared: true } });
    assert.equal(stored.isError, undefined, JSON.stringify(stored));
    assert.equal((stored.structuredContent as { isMerged: boolean }).isMerged, false);
    const found = await client.callTool({ name: 'memory__recall', arguments: { query: 'invoices Acme' } });
    assert.match(JSON.stringify(found.structuredContent), /pays its invoices on the 5th/);
  });

  test('a viewer key sees no writing tool and is refused one it names anyway; bad input is a tool error', async () => {
    const client = await connect(aViewer.apiKey);
    const { tools } = await client.listTools();
    assert.ok(!tools.some((t) => t.name === 'memory__remember'));
    const refused = await client.callTool({ name: 'memory__remember', arguments: { text: 'sneaky' } });
    assert.equal(refused.isError, true);
    assert.match(JSON.stringify(refused.content), /TOOL_FORBIDDEN/);
    const bad = await client.callTool({ name: 'memory__recall', arguments: { query: 42 } });
    assert.equal(bad.isError, true);
    assert.match(JSON.stringify(bad.content), /TOOL_INPUT_INVALID/);
    const unknown = await client.callTool({ name: 'no__such', arguments: {} });
    assert.equal(unknown.isError, true);
    assert.match(JSON.stringify(unknown.content), /TOOL_UNKNOWN/);
  });

  test('workspace B\'s key recalls nothing of A; no key, a malformed body: clear refusals', async () => {
    const client = await connect(b.apiKey);
    const found = await client.callTool({ name: 'memory__recall', arguments: { query: 'invoices Acme' } });
    assert.doesNotMatch(JSON.stringify(found), /pays its invoices/);
    const anonymous = await fetch(`${platform.baseUrl}/api/v1/mcp`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }) });
    assert.equal(anonymous.status, 401);
    const malformed = await fetch(`${platform.baseUrl}/api/v1/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${b.apiKey}` }, body: JSON.stringify({ hello: 'world' }) });
    assert.equal(malformed.status, 400);
    assert.match(malformed.headers.get('content-type') ?? '', /problem\+json/);
    // A JSON-RPC method the server does not know is a JSON-RPC error, not an HTTP one.
    const unknown = await fetch(`${platform.baseUrl}/api/v1/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${b.apiKey}` }, body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'no/such' }) });
    assert.equal(unknown.status, 200);
    assert.equal(((await unknown.json()) as { error: { code: number } }).error.code, -32601);
    const post = (body: unknown) => fetch(`${platform.baseUrl}/api/v1/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${b.apiKey}` }, body: JSON.stringify(body) });
    const empty = await post({ jsonrpc: '2.0' });
    assert.equal(empty.status, 400);
    assert.equal(((await empty.json()) as { code: string }).code, 'MCP_MESSAGE_INVALID');
    assert.equal((await post({ jsonrpc: '2.0', method: 'notifications/initialized' })).status, 202, 'a notification is accepted');
    const noName = await post({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: {} });
    assert.equal(noName.status, 200);
    assert.equal(((await noName.json()) as { error: { code: number } }).error.code, -32602);
    assert.equal((await post([{ jsonrpc: '2.0', id: 1, method: 'tools/list' }])).status, 400, 'no batches');
  });
});
