// The console assistant over real HTTP against the fake provider: it acts as the signed-in user
// through the tool registry, stops before a tool that changes data until the user approves
// (then the change is made as the user, audited "through the assistant"), a decline changes
// nothing, moving on closes the pending call; a viewer's assistant cannot invite anyone;
// conversations are their user's own; every model call is metered to the assistant.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { connectFakeProvider, startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';

const PROVIDER_KEY = 'sk-fake-assistant-9c0d';
const MODEL = 'fake/gpt-4o-mini';

type Answer = {
  status?: string; code?: string; threadId: string; runId?: string; message?: string | null;
  run: { status: string; steps: Array<{ error: { code: string } | null }> };
  data: Array<{ role: string; content: string; name: string }>;
};

describe('console assistant', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body !== undefined ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Answer, text };
  }
  const invitations = async (email: string) => (await platform.db.withPlatform((tx) => tx.query('select 1 from invitations where workspace_id = $1 and email = $2', [a.workspaceId, email]))).rows.length;

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: process.env.DEBUG_LOG ?? 'silent' }, { listen: true });
    a = await createTenant(platform, 'assistant-a');
    await connectFakeProvider(platform.baseUrl, a.tokens, fake, PROVIDER_KEY);
  });
  after(async () => {
    await platform.stop();
    await fake.close();
  });

  let threadId = '';

  test('a change waits for the user\'s approval, then is made as the user and audited through the assistant', async () => {
    const asked = await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, message: 'call members__invite {"email":"ada@example.com","role":"viewer"}' });
    assert.equal(asked.status, 200, asked.text);
    assert.equal(asked.json.status, 'awaiting_confirmation');
    assert.equal(asked.json.run.steps.at(-1)!.error!.code, 'AWAITING_CONFIRMATION');
    assert.equal(await invitations('ada@example.com'), 0, 'nothing done before the approval');
    threadId = asked.json.threadId;
    const approved = await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, threadId, confirm: { callId: 'call_1', approve: true } });
    assert.equal(approved.status, 200, approved.text);
    assert.equal(approved.json.status, 'completed');
    assert.match(String(approved.json.message), /^Tool said: .*ada@example.com/);
    assert.equal(await invitations('ada@example.com'), 1);
    const audit = await platform.db.withPlatform(async (tx) => (await tx.query<{ actor_type: string; actor_id: string; user_agent: string }>(
      `select actor_type, actor_id, user_agent from audit_events where workspace_id = $1 and action = 'invitation.created'`, [a.workspaceId])).rows);
    assert.equal(audit.length, 1);
    assert.equal(audit[0].actor_type, 'user');
    assert.equal(audit[0].actor_id, a.userIds.admin);
    assert.match(audit[0].user_agent, new RegExp(`^Atrium assistant, run ${approved.json.runId}$`));
    const thread = await api(a.tokens.admin, 'GET', `/assistant/threads/${threadId}`);
    assert.deepEqual(thread.json.data.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant']);
    assert.equal((await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, threadId, confirm: { callId: 'call_1', approve: true } })).json.code, 'RUN_NOT_AWAITING', 'nothing to approve twice');
  });

  test('a declined change is not made; moving on without answering closes it; streamed, the approval is asked for as an event', async () => {
    const asked = await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, message: 'call members__invite {"email":"bob@example.com"}' });
    const declined = await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, threadId: asked.json.threadId, confirm: { callId: 'call_1', approve: false } });
    assert.equal(declined.json.status, 'completed');
    assert.match(String(declined.json.message), /DECLINED_BY_USER/);
    assert.equal(await invitations('bob@example.com'), 0);

    const res = await fetch(`${platform.baseUrl}/api/v1/assistant/chat`, {
      method: 'POST', headers: { authorization: `Bearer ${a.tokens.admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: MODEL, stream: true, message: 'call tickets__open {"subject":"Printer on fire"}' }),
    });
    const events = (await res.text()).split('\n\n').filter(Boolean).map((block) => ({ type: /^event: (.+)$/m.exec(block)![1], data: JSON.parse(/^data: (.+)$/m.exec(block)![1]) }));
    const confirm = events.find((e) => e.type === 'confirm_required');
    assert.equal(confirm?.data.tool, 'tickets.open');
    assert.equal(events.at(-1)!.data.run.status, 'awaiting_confirmation');
    const pendingThread = events[0].data.threadId as string;
    const movedOn = await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, threadId: pendingThread, message: 'Never mind, what time is it?' });
    assert.equal(movedOn.status, 200, movedOn.text);
    const thread = await api(a.tokens.admin, 'GET', `/assistant/threads/${pendingThread}`);
    const closed = thread.json.data.find((m) => m.role === 'tool');
    assert.match(closed!.content, /NOT_CONFIRMED/);
    const tickets = (await platform.db.withPlatform((tx) => tx.query('select 1 from support_tickets where workspace_id = $1', [a.workspaceId]))).rows.length;
    assert.equal(tickets, 0);
  });

  test('a viewer\'s assistant has no inviting tool; conversations are their user\'s own; usage is the assistant\'s', async () => {
    const tried = await api(a.tokens.viewer, 'POST', '/assistant/chat', { model: MODEL, message: 'call members__invite {"email":"eve@example.com","role":"admin"}' });
    assert.equal(tried.status, 200, tried.text);
    assert.equal(tried.json.status, 'completed');
    assert.match(String(tried.json.message), /TOOL_UNKNOWN/);
    assert.equal(await invitations('eve@example.com'), 0);
    assert.equal((await api(a.tokens.viewer, 'GET', `/assistant/threads/${threadId}`)).status, 404);
    assert.equal((await api(a.tokens.viewer, 'POST', '/assistant/chat', { model: MODEL, threadId, message: 'hi' })).status, 404);
    const mine = await api(a.tokens.viewer, 'GET', '/assistant/threads');
    assert.equal(mine.json.data.length, 1);
    assert.equal((await api(a.apiKey, 'POST', '/assistant/chat', { model: MODEL, message: 'hi' })).status, 403, 'people only, not API keys');
    assert.equal((await api(a.tokens.admin, 'POST', '/assistant/chat', { model: MODEL })).json.code, 'ASSISTANT_INPUT_INVALID');
    // A model the workspace cannot call is a clear 404 before any run starts (not a failed run).
    const b = await createTenant(platform, 'assistant-b');
    const noModel = await api(b.tokens.admin, 'POST', '/assistant/chat', { model: MODEL, message: 'hi' });
    assert.equal(noModel.status, 404, noModel.text);
    assert.equal(noModel.json.code, 'MODEL_NOT_FOUND');
    const events = (await platform.db.withPlatform((tx) => tx.query<{ agent_id: string | null }>('select agent_id from usage_events where workspace_id = $1', [a.workspaceId]))).rows;
    assert.ok(events.length >= 6 && events.every((e) => e.agent_id !== null), 'every call metered to the assistant');
    assert.ok(!(await api(a.tokens.admin, 'GET', '/agents')).json.data.some((x) => x.name === 'Console assistant'), 'not among the agents');
  });
});
