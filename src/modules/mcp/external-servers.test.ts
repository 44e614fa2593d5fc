// External MCP servers as tool sources, against a real MCP server (the official SDK's, over
// Streamable HTTP on a local port) that demands a bearer token: adding one checks the address
// guard and the vault; its tools become mcp.<server>.<tool> for the workspace's agents (not for
// another workspace's); an agent's chat calls one and the token reaches the server (never the
// model); the registry's contract holds (permission, input schema, explained errors); a wrong
// credential, a disabled or removed server are clear.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type http from 'node:http';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { connectFakeProvider, startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { compileAccess } from '../access/index.ts';
import type { Permission } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { keptToolsOf } from './manage-servers.ts';
import { startExternalMcpServer } from '../../../test/helpers/mcp-server.ts';

const PROVIDER_KEY = 'sk-fake-mcp-external-3c9d';
const EXT_TOKEN = 'ext-mcp-token-value-7f2e91';

describe('mcp: external servers as tool sources', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let external: http.Server;
  let url = '';
  const calls: Array<{ tool: string; args: unknown; authorization: string | undefined }> = [];
  let a: Tenant;
  let b: Tenant;
  let serverId = '';

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(!text.includes(EXT_TOKEN), 'the credential never comes back');
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  }
  const principal = (t: Tenant, permissions: Permission[]): Principal => ({
    kind: 'user', userId: t.userIds.member, apiKeyId: null, workspaceId: t.workspaceId, sessionId: null, isPlatformAdmin: false, role: 'member',
    access: compileAccess(permissions.map((p) => ({ permission: p, conditions: null })), t.userIds.member),
  } as Principal);
  const invoke = (t: Tenant, name: string, input: unknown, permissions: Permission[] = ['mcp_tool.call']) => platform.agents.tools.invoke(name, input, {
    db: platform.db, principal: principal(t, permissions), workspaceId: t.workspaceId, agentId: null, runId: null, signal: new AbortController().signal,
  });

  before(async () => {
    ({ server: external, url } = await startExternalMcpServer(EXT_TOKEN, calls));
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    a = await createTenant(platform, 'mcp-ext-a');
    b = await createTenant(platform, 'mcp-ext-b');
    assert.equal((await api(a.tokens.owner, 'PUT', '/secrets/CRM_MCP_TOKEN', { value: EXT_TOKEN })).status, 201);
    assert.equal((await api(a.tokens.owner, 'PUT', '/secrets/WRONG_TOKEN', { value: 'not-the-token-0000' })).status, 201);
    await connectFakeProvider(platform.baseUrl, a.tokens, fake, PROVIDER_KEY);
  });
  after(async () => {
    await platform.stop();
    await fake.close();
    external.closeAllConnections();
    await new Promise((resolve) => external.close(resolve));
  });

  test('adding a server: members may not; a private address needs the setting; the secret must be in the vault', async () => {
    const body = { name: 'crm', url, secretName: 'CRM_MCP_TOKEN' };
    // (Connecting the fake model provider allowed private addresses: start from the default.)
    assert.equal((await api(a.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': false } })).status, 200);
    const member = await api(a.tokens.member, 'POST', '/mcp/servers', body);
    assert.equal(member.status, 403);
    const privateRefused = await api(a.tokens.admin, 'POST', '/mcp/servers', body);
    assert.equal(privateRefused.status, 422, JSON.stringify(privateRefused.json));
    assert.equal(privateRefused.json.code, 'MCP_SERVER_INVALID');
    assert.match(String(privateRefused.json.detail), /network\.allow_private_addresses/);
    assert.equal((await api(a.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    const noSecret = await api(a.tokens.admin, 'POST', '/mcp/servers', { ...body, secretName: 'NOT_IN_VAULT' });
    assert.equal(noSecret.status, 422);
    assert.match(String(noSecret.json.detail), /body\.secretName names no secret/);
    const badName = await api(a.tokens.admin, 'POST', '/mcp/servers', { ...body, name: 'Has Spaces' });
    assert.equal(badName.status, 400);
    assert.equal((await api(a.tokens.admin, 'GET', '/mcp/servers')).json.data instanceof Array, true);
    assert.equal(((await api(a.tokens.admin, 'GET', '/mcp/servers')).json.data as unknown[]).length, 0, 'nothing was written by the refusals');
  });

  test('an added server is reached at once: its tools become mcp.<server>.<tool> for this workspace only', async () => {
    const added = await api(a.tokens.admin, 'POST', '/mcp/servers', { name: 'crm', url, secretName: 'CRM_MCP_TOKEN' });
    assert.equal(added.status, 201, JSON.stringify(added.json));
    serverId = added.json.id as string;
    assert.equal(added.json.status, 'connected', JSON.stringify(added.json));
    const tools = added.json.tools as Array<{ name: string; originalName: string; isMutating: boolean }>;
    assert.deepEqual(tools.map((t) => t.name), ['mcp.crm.echo', 'mcp.crm.create_contact', 'mcp.crm.fail']);
    assert.equal(tools[1].originalName, 'Create-Contact');
    assert.deepEqual(tools.map((t) => t.isMutating), [false, true, false]);
    const taken = await api(a.tokens.admin, 'POST', '/mcp/servers', { name: 'crm', url });
    assert.equal(taken.status, 409);

    const listed = (await api(a.tokens.member, 'GET', '/agents/tools')).json.data as Array<{ name: string; permission: string; isMutating: boolean; isAllowed: boolean }>;
    const echo = listed.find((t) => t.name === 'mcp.crm.echo');
    assert.ok(echo, 'the workspace\'s tool list has the server\'s tools');
    assert.equal(echo.permission, 'mcp_tool.call');
    assert.equal(echo.isAllowed, true);
    const forB = (await api(b.tokens.member, 'GET', '/agents/tools')).json.data as Array<{ name: string }>;
    assert.ok(!forB.some((t) => t.name.startsWith('mcp.')), 'workspace B sees none of A\'s servers\' tools');
    assert.equal((await api(b.tokens.admin, 'GET', `/mcp/servers/${serverId}`)).status, 404);
    assert.equal((await api(b.tokens.admin, 'POST', `/mcp/servers/${serverId}/refresh`)).status, 404);
    assert.equal((await api(b.tokens.admin, 'POST', '/agents', { name: 'Thief', config: { model: 'fake/gpt-4o-mini', tools: ['mcp.crm.echo'] } })).json.code, 'AGENT_TOOL_UNKNOWN');
    const thief = await invoke(b, 'mcp.crm.echo', { text: 'hi' });
    assert.ok(!thief.ok && thief.error.code === 'TOOL_UNKNOWN', JSON.stringify(thief));
  });

  test('an agent\'s chat calls the external tool; the credential reaches the server, not the model', async () => {
    const created = await api(a.tokens.admin, 'POST', '/agents', { name: 'CRM agent', config: { model: 'fake/gpt-4o-mini', tools: ['mcp.crm.echo'] } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    const id = created.json.id as string;
    assert.equal((await api(a.tokens.admin, 'POST', `/agents/${id}/publish`, {})).status, 200);
    const chat = await api(a.tokens.member, 'POST', `/agents/${id}/chat`, { message: `call mcp__crm__echo ${JSON.stringify({ text: 'hello from Atrium' })}` });
    assert.equal(chat.json.status, 'completed', JSON.stringify(chat.json));
    const step = (chat.json.run as { steps: Array<{ type: string; tool?: string; error?: unknown; output?: unknown }> }).steps.find((s) => s.type === 'tool')!;
    assert.equal(step.tool, 'mcp.crm.echo');
    assert.equal(step.error, null, JSON.stringify(step));
    assert.deepEqual(step.output, { echo: 'hello from Atrium' });
    assert.deepEqual(calls.at(-1), { tool: 'echo', args: { text: 'hello from Atrium' }, authorization: `Bearer ${EXT_TOKEN}` });
    const sentToModel = JSON.stringify(fake.requests.map((r) => r.body));
    assert.ok(sentToModel.includes('mcp__crm__echo'), 'the model was offered the tool under its wire name');
    assert.ok(!sentToModel.includes(EXT_TOKEN), 'the model never saw the credential');
  });

  test('the registry\'s contract holds for external tools: permission, input schema, explained errors', async () => {
    const forbidden = await invoke(a, 'mcp.crm.echo', { text: 'x' }, ['agent.read']);
    assert.ok(!forbidden.ok && forbidden.error.code === 'TOOL_FORBIDDEN', JSON.stringify(forbidden));
    const before = calls.length;
    const bad = await invoke(a, 'mcp.crm.echo', { text: 42 });
    assert.ok(!bad.ok && bad.error.code === 'TOOL_INPUT_INVALID', JSON.stringify(bad));
    assert.equal(calls.length, before, 'refused input never reaches the server');
    const failed = await invoke(a, 'mcp.crm.fail', {});
    assert.ok(!failed.ok && failed.error.code === 'TOOL_FAILED' && /^MCP_TOOL_FAILED: The tool answered an error: boom/.test(failed.error.message), JSON.stringify(failed));
    const created = await invoke(a, 'mcp.crm.create_contact', { name: 'Ada' });
    assert.ok(created.ok, JSON.stringify(created));
    assert.equal(calls.at(-1)!.tool, 'Create-Contact', 'the server gets its own name back');
  });

  test('a wrong credential is named; a disabled server\'s tools leave; a removed server is gone', async () => {
    const wrong = await api(a.tokens.admin, 'PATCH', `/mcp/servers/${serverId}`, { secretName: 'WRONG_TOKEN' });
    assert.equal(wrong.status, 200, JSON.stringify(wrong.json));
    assert.equal(wrong.json.status, 'failed');
    assert.match(String(wrong.json.lastError), /refused the credential \(HTTP 401\)/);
    assert.equal((wrong.json.tools as unknown[]).length, 3, 'the tools announced before are kept');
    const refusedCall = await invoke(a, 'mcp.crm.echo', { text: 'x' });
    assert.ok(!refusedCall.ok && /refused the credential/.test(refusedCall.error.message), JSON.stringify(refusedCall));
    const fixed = await api(a.tokens.admin, 'PATCH', `/mcp/servers/${serverId}`, { secretName: 'CRM_MCP_TOKEN' });
    assert.equal(fixed.json.status, 'connected');
    assert.equal((await api(a.tokens.admin, 'PATCH', `/mcp/servers/${serverId}`, { isEnabled: false })).status, 200);
    const off = await invoke(a, 'mcp.crm.echo', { text: 'x' });
    assert.ok(!off.ok && off.error.code === 'TOOL_UNKNOWN', JSON.stringify(off));
    assert.equal((await api(a.tokens.admin, 'DELETE', `/mcp/servers/${serverId}`)).status, 204);
    assert.equal((await api(a.tokens.admin, 'GET', `/mcp/servers/${serverId}`)).status, 404);
    assert.equal((await api(a.tokens.admin, 'DELETE', `/mcp/servers/${serverId}`)).status, 404);
    const audit = await api(a.tokens.owner, 'GET', '/audit/events?limit=100');
    const actions = ((audit.json.data ?? []) as Array<{ action: string }>).map((e) => e.action);
    for (const action of ['mcp_server.created', 'mcp_server.updated', 'mcp_server.deleted']) assert.ok(actions.includes(action), `${action} in ${actions.join(', ')}`);
  });

  test('a server\'s regular expressions never run here (a catastrophic pattern cannot stall the process); its property names are kept', async () => {
    const evil = { type: 'object', required: ['pattern'], properties: { pattern: { type: 'string', pattern: '^(a+)+$' }, format: { type: 'string', format: 'no-such-format' } }, patternProperties: { '^(x+)+$': { type: 'number' } } };
    await platform.db.withWorkspace(a.workspaceId, (tx) => tx.query(
      `insert into mcp_servers (workspace_id, name, url, tools, status) values ($1, 'evil', 'http://127.0.0.1:9/mcp', $2, 'connected')`,
      [a.workspaceId, JSON.stringify([{ name: 'slow', originalName: 'slow', description: '', inputSchema: evil, readOnly: true, idempotent: true }])]));
    // Run here, '^(a+)+$' on forty a's and a '!' would backtrack for hours: the test would never end.
    const outcome = await invoke(a, 'mcp.evil.slow', { pattern: `${'a'.repeat(40)}!`, format: 'x', xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx: 'not a number' });
    assert.ok(!outcome.ok && outcome.error.code === 'TOOL_FAILED', JSON.stringify(outcome)); // validated, then the (unreachable) server was tried
    const missing = await invoke(a, 'mcp.evil.slow', {});
    assert.ok(!missing.ok && missing.error.code === 'TOOL_INPUT_INVALID' && /pattern/.test(missing.error.message), JSON.stringify(missing));
  });

  test('tool names are made model-safe, short enough and unique', () => {
    const kept = keptToolsOf('crm', [
      { name: 'Get.Contact', description: '', inputSchema: {}, readOnly: true, idempotent: true },
      { name: 'get_contact', description: '', inputSchema: {}, readOnly: true, idempotent: true },
      { name: '42things', description: '', inputSchema: {}, readOnly: false, idempotent: false },
      { name: 'x'.repeat(200), description: '', inputSchema: {}, readOnly: false, idempotent: false },
    ]);
    assert.deepEqual(kept.slice(0, 3).map((t) => t.name), ['get_contact', 'get_contact_2', 't_42things']);
    for (const t of kept) assert.ok(`mcp__crm__${t.name}`.length <= 64 && /^[a-z][a-z0-9_]*$/.test(t.name), t.name);
  });
});
