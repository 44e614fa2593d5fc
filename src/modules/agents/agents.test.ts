// Agents end to end over real HTTP against the fake provider (both wire protocols): definitions
// (draft, publish, versions), the run loop with a tool call (memory recalled into the context,
// the tool run as the user, its result back to the model), JSON and SSE answers, every call
// metered to the agent, the run record, the thread and the log; memory per agent and shared,
// isolated between workspaces; the tool contract over every registered tool.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { compileAccess, PERMISSIONS } from '../access/index.ts';
import type { Permission } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';

const PROVIDER_KEY = 'sk-fake-agents-key-51c2';

describe('agents', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let b: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> & { data?: Array<Record<string, unknown>> } }> {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    assert.ok(!text.includes(PROVIDER_KEY), 'no provider key in an answer');
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  }

  async function setUpProviders(t: Tenant) {
    assert.equal((await api(t.tokens.owner, 'PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY })).status, 201);
    assert.equal((await api(t.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    assert.equal((await api(t.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' })).status, 201);
    assert.equal((await api(t.tokens.admin, 'POST', '/llm/providers', { name: 'claude', kind: 'anthropic', baseUrl: `${fake.url}/anthropic`, secretName: 'FAKE_KEY' })).status, 201);
  }

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({}, { listen: true });
    a = await createTenant(platform, 'agents-a', { apiKeyRole: 'member' });
    b = await createTenant(platform, 'agents-b');
    await setUpProviders(a);
  });
  after(async () => {
    await platform.stop();
    await fake.close();
  });

  let agentId = '';

  test('an agent is a draft until published; its tools must exist; runs need a version (or the draft, for editors)', async () => {
    const unknown = await api(a.tokens.admin, 'POST', '/agents', { name: 'Helper', config: { model: 'fake/gpt-4o-mini', tools: ['no.such_tool'] } });
    assert.equal(unknown.status, 422);
    assert.equal(unknown.json.code, 'AGENT_TOOL_UNKNOWN');
    assert.equal((await api(a.tokens.member, 'POST', '/agents', { name: 'Helper', config: { model: 'fake/gpt-4o-mini' } })).status, 403, 'members may not create agents');
    const created = await api(a.tokens.admin, 'POST', '/agents', {
      name: 'Helper', description: 'Answers from memory',
      config: { model: 'fake/gpt-4o-mini', systemPrompt: 'You help Acme.', tools: ['memory.recall'], memory: { mode: 'recall', topK: 3, tags: [] } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    agentId = String(created.json.id);
    assert.equal(created.json.publishedVersion, null);
    assert.equal(created.json.hasUnpublishedChanges, true);
    assert.deepEqual((created.json.draft as { limits: unknown }).limits, { maxSteps: 8, maxTokensPerRun: 100_000, runTimeoutMs: 120_000 });
    assert.equal((await api(a.tokens.admin, 'POST', '/agents', { name: 'Helper', config: { model: 'x' } })).json.code, 'AGENT_NAME_TAKEN');

    const unpublished = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'hello' });
    assert.equal(unpublished.status, 409);
    assert.equal(unpublished.json.code, 'AGENT_NOT_PUBLISHED');
    assert.equal((await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'hello', useDraft: true })).status, 409, 'the draft is for editors');

    const published = await api(a.tokens.admin, 'POST', `/agents/${agentId}/publish`);
    assert.equal(published.json.publishedVersion, 1);
    assert.equal(published.json.hasUnpublishedChanges, false);
    const edited = await api(a.tokens.admin, 'PATCH', `/agents/${agentId}`, { config: { systemPrompt: 'You help Acme, briefly.' } });
    assert.equal(edited.json.hasUnpublishedChanges, true);
    assert.equal(edited.json.publishedVersion, 1);
    assert.equal((await api(a.tokens.admin, 'POST', `/agents/${agentId}/publish`)).json.publishedVersion, 2);
    const versions = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/versions`);
    assert.deepEqual(versions.json.data!.map((v) => v.version), [2, 1]);
    const audit = await platform.db.withPlatform(async (tx) => (await tx.query<{ action: string }>(`select action from audit_events where workspace_id = $1 and target_id = $2 order by id`, [a.workspaceId, agentId])).rows.map((r) => r.action));
    assert.deepEqual(audit, ['agent.created', 'agent.published', 'agent.updated', 'agent.published']);
  });

  test('memory: per agent and shared, recalled by words and by near spelling, merged when repeated, never across workspaces', async () => {
    const first = await api(a.tokens.member, 'POST', `/agents/${agentId}/remember`, { text: 'The client Acme prefers invoices in euros, sent on the first Monday.', tags: ['billing'] });
    assert.equal(first.status, 201, JSON.stringify(first.json));
    assert.equal(first.json.isMerged, false);
    const again = await api(a.tokens.member, 'POST', `/agents/${agentId}/remember`, { text: 'The client Acme prefers invoices in euros, sent on the first Monday!', tags: ['acme'] });
    assert.equal(again.status, 200);
    assert.equal(again.json.isMerged, true);
    assert.equal(again.json.id, first.json.id);
    assert.deepEqual(again.json.tags, ['billing', 'acme']);
    const shared = await api(a.tokens.member, 'POST', '/memories', { text: 'Support hours are 9:00 to 17:00 Paris time.' });
    assert.equal(shared.status, 201);
    assert.equal(shared.json.agentId, null);

    const byWords = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/recall?query=${encodeURIComponent('invoices euros')}`);
    assert.equal(byWords.status, 200);
    assert.equal(byWords.json.data![0].id, first.json.id);
    const byTypo = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/recall?query=${encodeURIComponent('invoises')}`);
    assert.equal(byTypo.json.data![0]?.id, first.json.id, 'trigram similarity finds a misspelt word');
    const sharedToo = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/recall?query=${encodeURIComponent('support hours')}`);
    assert.equal(sharedToo.json.data![0].id, shared.json.id, 'an agent recalls the workspace\'s shared memories');
    // The same fact kept by the agent and shared by the workspace comes back once, tags joined.
    const sameShared = await api(a.tokens.member, 'POST', '/memories', { text: 'the client ACME prefers invoices in euros; sent on the first monday', tags: ['shared-copy'] });
    assert.equal(sameShared.status, 201);
    const once = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/recall?query=${encodeURIComponent('invoices euros')}`);
    assert.equal(once.json.data!.filter((m) => /invoices in euros/i.test(String(m.text))).length, 1, JSON.stringify(once.json.data));
    assert.deepEqual([...(once.json.data![0].tags as string[])].sort(), ['acme', 'billing', 'shared-copy']);
    assert.equal((await api(a.tokens.member, 'DELETE', `/memories/${sameShared.json.id}`)).status, 204);
    // The list's search (full text, newest first, through its index): by scope, by page, never across workspaces.
    assert.deepEqual((await api(a.tokens.viewer, 'GET', '/memories?search=euros')).json.data!.map((m) => m.id), [first.json.id]);
    assert.deepEqual((await api(a.tokens.viewer, 'GET', '/memories?search=hours&agentId=shared')).json.data!.map((m) => m.id), [shared.json.id]);
    assert.deepEqual((await api(a.tokens.viewer, 'GET', `/agents/${agentId}/memories?search=hours`)).json.data, []);
    const paged = await api(a.tokens.viewer, 'GET', '/memories?search=acme%20OR%20hours&limit=1');
    assert.equal(paged.json.data!.length, 1);
    const next = await api(a.tokens.viewer, 'GET', `/memories?search=acme%20OR%20hours&limit=1&cursor=${paged.json.nextCursor}`);
    assert.deepEqual([paged.json.data![0].id, next.json.data![0].id].sort(), [first.json.id, shared.json.id].sort());
    assert.deepEqual((await api(b.tokens.owner, 'GET', '/memories?search=euros')).json.data, []);
    const tagged = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/recall?query=invoices&tags=nope`);
    assert.deepEqual(tagged.json.data, []);

    // Workspace B sees none of it, by any path.
    assert.equal((await api(b.tokens.owner, 'GET', `/agents/${agentId}/recall?query=invoices`)).status, 404);
    assert.equal((await api(b.tokens.owner, 'POST', `/agents/${agentId}/remember`, { text: 'x' })).status, 404);
    const bRecall = await api(b.tokens.owner, 'GET', `/memories/recall?query=${encodeURIComponent('support hours')}`);
    assert.deepEqual(bRecall.json.data, [], JSON.stringify(bRecall.json));
    assert.deepEqual((await api(b.tokens.owner, 'GET', '/memories')).json.data, []);
    assert.equal((await api(b.tokens.owner, 'DELETE', `/memories/${shared.json.id}`)).status, 404);
    // The recall function (it runs as its owner, to use the indexes) answers for the workspace the
    // transaction is bound to, whatever agent id it is given, and for none when none is bound.
    const candidates = (ws: string | null) => platform.db.withPlatform(async (tx) => {
      if (ws) await tx.query("select set_config('app.workspace_id', $1, true)", [ws]);
      return (await tx.query<{ id: string }>('select id from atrium_recall_memories($1, $2, $3, $4)', ['invoices support hours', [], agentId, 10])).rows.map((r) => r.id);
    });
    assert.deepEqual(new Set(await candidates(a.workspaceId)), new Set([first.json.id, shared.json.id]));
    assert.deepEqual(await candidates(b.workspaceId), []);
    assert.deepEqual(await candidates(null), []);

    const quota = await api(a.tokens.viewer, 'GET', '/memories/quota');
    assert.deepEqual(quota.json.workspace, { count: 2, bytes: Buffer.byteLength(String(again.json.text)) + Buffer.byteLength('Support hours are 9:00 to 17:00 Paris time.'), maxCount: 10_000, maxBytes: 10 * 1024 * 1024 });
    assert.equal((quota.json.agents as Array<{ count: number }>)[0].count, 1);
    assert.deepEqual(quota.json.agentLimits, { maxCount: 5_000, maxBytes: 5 * 1024 * 1024 });
    assert.equal((await api(a.tokens.viewer, 'POST', '/memories', { text: 'no' })).status, 403, 'viewers read memory, they do not write it');
  });

  test('a chat (OpenAI wire): memory recalled, a tool called as the user, its result back to the model; metered to the agent; recorded', async () => {
    const chat = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'How does Acme want its invoices?' });
    assert.equal(chat.status, 200, JSON.stringify(chat.json));
    assert.equal(chat.json.status, 'completed');
    assert.match(String(chat.json.message), /^Tool said: .*invoices in euros/);
    const run = chat.json.run as { id: string; version: number; steps: Array<{ type: string; tool?: string; count?: number; error?: unknown }>; modelCalls: number; toolCalls: number; inputTokens: number; costMicros: number };
    assert.equal(run.version, 2);
    assert.deepEqual(run.steps.map((s) => s.type), ['memory_recall', 'model', 'tool', 'model']);
    assert.equal(run.steps[0].count, 1, 'the memory about invoices (the one about support hours shares no word with the question)');
    assert.equal(run.steps[2].tool, 'memory.recall');
    assert.equal(run.steps[2].error, null);
    assert.equal(run.modelCalls, 2);
    assert.equal(run.toolCalls, 1);
    assert.ok(run.inputTokens > 0 && run.costMicros > 0);
    // The recalled memories went into the system prompt the provider saw.
    const sent = fake.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-2)!.body as { messages: Array<{ role: string; content: string }>; tools: Array<{ function: { name: string } }> };
    assert.match(sent.messages[0].content, /You help Acme, briefly\.[\s\S]*invoices in euros/);
    assert.equal(sent.tools[0].function.name, 'memory__recall');
    // Every model call is a usage event of the agent.
    const events = await platform.db.withPlatform(async (tx) => (await tx.query<{ agent_id: string; request_id: string; status: string }>('select agent_id, request_id, status from usage_events where workspace_id = $1 and agent_id is not null', [a.workspaceId])).rows);
    assert.equal(events.length, 2);
    assert.ok(events.every((e) => e.agent_id === agentId && e.request_id === run.id && e.status === 'ok'));
    // The thread holds the whole exchange; the log tells the story.
    const thread = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/threads/${chat.json.threadId}`);
    assert.deepEqual(thread.json.data!.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
    const logs = await api(a.tokens.viewer, 'GET', `/agents/${agentId}/logs`);
    assert.deepEqual(logs.json.data!.map((l) => l.type).reverse(), ['run_started', 'memory_recall', 'model_call', 'tool_call', 'model_call', 'run_ended']);
    // A follow-up in the same thread carries the history.
    const next = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'And the day?', threadId: chat.json.threadId });
    assert.equal(next.json.status, 'completed');
    const followUp = fake.requests.filter((r) => r.path.endsWith('/chat/completions')).at(-2)!.body as { messages: Array<{ role: string }> };
    assert.deepEqual(followUp.messages.map((m) => m.role), ['system', 'user', 'assistant', 'tool', 'assistant', 'user']);
  });

  test('a chat streamed as Server-Sent Events, through the Anthropic wire protocol', async () => {
    const claude = await api(a.tokens.admin, 'POST', '/agents', { name: 'Claude helper', config: { model: 'claude/claude-sonnet-4-5', tools: ['memory.recall'] } });
    assert.equal(claude.status, 201);
    await api(a.tokens.admin, 'POST', `/agents/${claude.json.id}/publish`);
    const res = await fetch(`${platform.baseUrl}/api/v1/agents/${claude.json.id}/chat`, {
      method: 'POST', headers: { authorization: `Bearer ${a.tokens.member}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'When are the support hours?', stream: true }),
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const text = await res.text();
    const events = [...text.matchAll(/^event: (\w+)\ndata: (.*)$/gm)].map((m) => ({ type: m[1], data: JSON.parse(m[2]) as Record<string, unknown> }));
    const types = events.map((e) => e.type);
    assert.equal(types[0], 'run');
    assert.ok(types.includes('tool_call') && types.includes('tool_result') && types.includes('token'), `${types.join(',')} ${text.slice(0, 600)}`);
    assert.deepEqual(types.slice(-2), ['message', 'done']);
    const result = events.find((e) => e.type === 'tool_result')!.data as { ok: boolean; output: { memories: Array<{ text: string; isShared: boolean }> } };
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(result.output.memories[0].text, 'Support hours are 9:00 to 17:00 Paris time.');
    assert.equal(result.output.memories[0].isShared, true);
    assert.match(events.filter((e) => e.type === 'token').map((e) => e.data.text).join(''), /Support hours/);
    const done = events.at(-1)!.data as { run: { status: string; modelCalls: number } };
    assert.equal(done.run.status, 'completed');
    assert.equal(done.run.modelCalls, 2);
    assert.ok(fake.requests.some((r) => r.path.endsWith('/messages')), 'the Anthropic protocol was used');
  });

  test('limits: a run that keeps calling tools stops at maxSteps, recorded as limit_reached', async () => {
    // The fake calls a tool whenever the last turn is the user's: with maxSteps 1, the run ends after the first call.
    const capped = await api(a.tokens.admin, 'POST', '/agents', { name: 'Capped', config: { model: 'fake/gpt-4o-mini', tools: ['time.now'], limits: { maxSteps: 1, maxTokensPerRun: 100_000, runTimeoutMs: 10_000 } } });
    const chat = await api(a.tokens.admin, 'POST', `/agents/${capped.json.id}/chat`, { message: 'now?', useDraft: true });
    assert.equal(chat.json.status, 'limit_reached');
    assert.equal((chat.json.run as { error: { code: string } }).error.code, 'AGENT_MAX_STEPS');
    assert.equal(chat.json.message, null);
    assert.equal((chat.json.run as { version: number | null }).version, null, 'a draft run records no version');
  });

  test('an agent\'s own quota stops its runs before the model is called; the run says why', async () => {
    const set = await api(a.tokens.admin, 'PUT', '/usage/quotas', { scope: 'agent', subjectId: agentId, monthlyTokens: 10, monthlyCostMicros: null });
    assert.equal(set.status, 200, JSON.stringify(set.json));
    const before = fake.requests.length;
    const chat = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'One more question about invoices' });
    assert.equal(chat.json.status, 'failed');
    assert.equal((chat.json.run as { error: { code: string } }).error.code, 'QUOTA_EXCEEDED');
    assert.equal(fake.requests.length, before, 'nothing reached the provider');
    const refused = await platform.db.withPlatform(async (tx) => (await tx.query<{ n: number }>(`select count(*)::int as n from usage_events where workspace_id = $1 and agent_id = $2 and status = 'refused'`, [a.workspaceId, agentId])).rows[0].n);
    assert.equal(refused, 1);
    assert.equal((await api(a.tokens.admin, 'DELETE', `/usage/quotas/agent/${agentId}`)).status, 204);
    const unknown = await api(a.tokens.admin, 'PUT', '/usage/quotas', { scope: 'agent', subjectId: '00000000-0000-7000-8000-000000000000', monthlyTokens: 10, monthlyCostMicros: null });
    assert.equal(unknown.status, 400, 'an unknown agent gets no quota');
    assert.equal(unknown.json.code, 'QUOTA_INVALID');
  });

  test('the viewer reads agents but may not chat; workspace B cannot reach A\'s agent', async () => {
    assert.equal((await api(a.tokens.viewer, 'POST', `/agents/${agentId}/chat`, { message: 'hi' })).status, 403);
    assert.equal((await api(a.tokens.viewer, 'GET', `/agents/${agentId}`)).status, 200);
    for (const [method, path] of [['GET', `/agents/${agentId}`], ['POST', `/agents/${agentId}/chat`], ['GET', `/agents/${agentId}/runs`], ['DELETE', `/agents/${agentId}`], ['POST', `/agents/${agentId}/publish`]] as const) {
      const r = await api(b.tokens.owner, method, path, method === 'POST' && path.endsWith('chat') ? { message: 'hi' } : undefined);
      assert.ok(r.status === 404 || (method === 'GET' && path.endsWith('runs') && r.status === 200 && r.json.data!.length === 0), `${method} ${path}: ${r.status}`);
    }
  });

  test('the tool contract: every registered tool declares valid schemas and a known permission, refuses a principal without it, refuses bad input, honours its timeout', async () => {
    const tools = platform.agents.tools.list();
    assert.ok(tools.length >= 11);
    assert.ok(tools.filter((t) => t.isMutating).every((t) => t.example !== undefined), 'mutating tools show an example');
    const ALL = Object.keys(PERMISSIONS) as Permission[];
    const principalWith = (permissions: Permission[]): Principal => ({
      kind: 'user', userId: a.userIds.admin, apiKeyId: null, workspaceId: a.workspaceId, sessionId: null, isPlatformAdmin: false, role: 'viewer',
      access: compileAccess(permissions.map((p) => ({ permission: p, conditions: null })), a.userIds.admin),
    } as Principal);
    const ctxFor = (principal: Principal) => ({ db: platform.db, principal, workspaceId: a.workspaceId, agentId, runId: null, signal: new AbortController().signal });
    for (const tool of tools) {
      assert.match(tool.name, /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/, `${tool.name}: resource.action`);
      assert.ok(tool.description.length >= 20, `${tool.name} describes itself`);
      assert.ok(ALL.includes(tool.permission), `${tool.name}: ${tool.permission} is a permission of the registry`);
      assert.equal(tool.inputSchema.type, 'object', `${tool.name}: its input is an object`);
      assert.equal(tool.inputSchema.additionalProperties, false, `${tool.name}: unknown input fields are refused`);
      assert.ok(tool.timeoutMs > 0 && tool.timeoutMs <= 60_000, `${tool.name}: a timeout`);
      if (!tool.isIdempotent) assert.equal(tool.retries, 0, `${tool.name}: only idempotent tools are retried`);
      const denied = await platform.agents.tools.invoke(tool.name, {}, ctxFor(principalWith(ALL.filter((p) => p !== tool.permission))));
      assert.ok(!denied.ok && (denied.error.code === 'TOOL_FORBIDDEN' || denied.error.code === 'TOOL_INPUT_INVALID'), `${tool.name} without ${tool.permission}: ${JSON.stringify(denied)}`);
      const badInput = await platform.agents.tools.invoke(tool.name, { unexpected: 'x'.repeat(10) }, ctxFor(principalWith(ALL)));
      assert.ok(!badInput.ok && badInput.error.code === 'TOOL_INPUT_INVALID', `${tool.name} refuses unknown input: ${JSON.stringify(badInput)}`);
      // Valid input, but without the permission: refused for the permission, not the input.
      const example = tool.example ?? {};
      const forbidden = await platform.agents.tools.invoke(tool.name, example, ctxFor(principalWith(ALL.filter((p) => p !== tool.permission))));
      assert.ok(!forbidden.ok && forbidden.error.code === 'TOOL_FORBIDDEN', `${tool.name}: ${JSON.stringify(forbidden)}`);
      // With the permission the tool runs: it answers, or the owning module refuses what the example
      // names (an id not in this workspace, a role above the caller's): a 4xx answer, not a fault.
      const allowed = await platform.agents.tools.invoke(tool.name, example, ctxFor(principalWith([tool.permission])));
      assert.ok(allowed.ok || (allowed.error.code === 'TOOL_FAILED' && /^[A-Z_]+: /.test(allowed.error.message)), `${tool.name} with only ${tool.permission}: ${JSON.stringify(allowed)}`);
    }
    // A slow tool is cut at its timeout.
    platform.agents.tools.register({
      name: 'test.slow', description: 'Waits longer than its timeout, for the contract test.', inputSchema: { type: 'object', additionalProperties: false, properties: {} },
      outputSchema: { type: 'object' }, permission: 'agent.run', timeoutMs: 50, isIdempotent: true, retries: 2, ratePerMinute: 100, isMutating: false,
      run: () => new Promise((resolve) => setTimeout(() => resolve({}), 2_000)),
    });
    const slow = await platform.agents.tools.invoke('test.slow', {}, ctxFor(principalWith(['agent.run'])));
    assert.ok(!slow.ok && slow.error.code === 'TOOL_TIMEOUT' && slow.ms < 1_000, JSON.stringify(slow));
  });
});
