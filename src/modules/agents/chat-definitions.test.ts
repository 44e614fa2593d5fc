// A chat reads what it runs from the process's cache (chat-definitions.ts) and checks it in the
// run's opening transaction: a publish or an edit made elsewhere (another process: here, SQL
// behind this process's back) is never missed, and a thread that is not the agent's is refused
// with nothing written.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';

const PROVIDER_KEY = 'sk-fake-chat-definitions-0e1d';

describe('agents: the cached chat definition', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let b: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  }

  async function setUp(t: Tenant, name: string): Promise<string> {
    assert.equal((await api(t.tokens.owner, 'PUT', '/secrets/FAKE_KEY', { value: PROVIDER_KEY })).status, 201);
    assert.equal((await api(t.tokens.owner, 'PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } })).status, 200);
    assert.equal((await api(t.tokens.admin, 'POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${fake.url}/openai/v1`, secretName: 'FAKE_KEY' })).status, 201);
    const created = await api(t.tokens.admin, 'POST', '/agents', { name, config: { model: 'fake/gpt-4o-mini', systemPrompt: 'Prompt one.' } });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal((await api(t.tokens.admin, 'POST', `/agents/${String(created.json.id)}/publish`)).status, 200);
    return String(created.json.id);
  }

  /** The system prompt the model was sent by the last call. */
  const lastSystemPrompt = () => ((fake.requests.at(-1)!.body.messages as Array<{ role: string; content: string }>).find((m) => m.role === 'system')?.content ?? '');

  const count = (table: 'agent_runs' | 'agent_messages' | 'agent_threads', ws: string) => platform.db.withPlatform(async (tx) => Number((await tx.query<{ n: string }>(`select count(*) as n from ${table} where workspace_id = $1`, [ws])).rows[0].n));

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({}, { listen: true });
    a = await createTenant(platform, 'chat-definitions-a');
    b = await createTenant(platform, 'chat-definitions-b');
  });
  after(async () => {
    await platform.stop();
    await fake.close();
  });

  /** A thread of workspace A (for the second test). */
  let foreignThread = '';

  test('a version published or a draft edited behind the process\'s back is what the next chat runs', async () => {
    const agentId = await setUp(a, 'Cached');
    const first = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'hello' });
    foreignThread = String(first.json.threadId);
    assert.equal(first.status, 200, JSON.stringify(first.json));
    assert.equal((first.json.run as { version: number }).version, 1);
    assert.match(lastSystemPrompt(), /^Prompt one\./);
    const again = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'hello again', threadId: first.json.threadId });
    assert.equal((again.json.run as { version: number }).version, 1, 'the copy in the cache, still current');

    // Another process publishes version 2 (this process's cache still holds version 1).
    await platform.db.withPlatform(async (tx) => {
      await tx.query(`insert into agent_versions (workspace_id, agent_id, version, config) select workspace_id, agent_id, 2, jsonb_set(config, '{systemPrompt}', '"Prompt two."') from agent_versions where workspace_id = $1 and agent_id = $2 and version = 1`, [a.workspaceId, agentId]);
      await tx.query(`update agents set published_version = 2, draft = jsonb_set(draft, '{systemPrompt}', '"Prompt draft."'), updated_at = now() where workspace_id = $1 and id = $2`, [a.workspaceId, agentId]);
    });
    const runs = await count('agent_runs', a.workspaceId);
    const after2 = await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'and now?', threadId: first.json.threadId });
    assert.equal(after2.status, 200, JSON.stringify(after2.json));
    assert.equal((after2.json.run as { version: number }).version, 2, 'the stale copy was caught in the opening transaction and read again');
    assert.match(lastSystemPrompt(), /^Prompt two\./);
    assert.equal(await count('agent_runs', a.workspaceId), runs + 1, 'the attempt on the stale copy left no run behind');

    const draft = await api(a.tokens.admin, 'POST', `/agents/${agentId}/chat`, { message: 'the draft', useDraft: true });
    assert.equal(draft.status, 200, JSON.stringify(draft.json));
    assert.equal((draft.json.run as { version: number | null }).version, null);
    assert.match(lastSystemPrompt(), /^Prompt draft\./);
    assert.equal((await api(a.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'the draft', useDraft: true })).status, 409, 'the draft is still for editors, cache or not');
  });

  test('a thread of another agent or another workspace is refused (404) with nothing written, the definition cached or not', async () => {
    const agentId = await setUp(b, 'Mine');
    const other = await api(b.tokens.admin, 'POST', '/agents', { name: 'Other', config: { model: 'fake/gpt-4o-mini' } });
    await api(b.tokens.admin, 'POST', `/agents/${String(other.json.id)}/publish`);
    const otherThread = String((await api(b.tokens.member, 'POST', `/agents/${String(other.json.id)}/chat`, { message: 'hi' })).json.threadId);
    assert.match(foreignThread, /^[0-9a-f-]{36}$/);
    for (const isWarm of [false, true]) {
      if (isWarm) assert.equal((await api(b.tokens.member, 'POST', `/agents/${agentId}/chat`, { message: 'warm the cache' })).status, 200);
      const before = await Promise.all([count('agent_runs', b.workspaceId), count('agent_messages', b.workspaceId), count('agent_threads', b.workspaceId)]);
      for (const threadId of [otherThread, foreignThread]) {
        for (const stream of [false, true]) {
          const res = await fetch(`${platform.baseUrl}/api/v1/agents/${agentId}/chat`, { method: 'POST', headers: { authorization: `Bearer ${b.tokens.member}`, 'content-type': 'application/json' }, body: JSON.stringify({ message: 'into their thread', threadId, stream }) });
          const text = await res.text();
          if (stream && res.status === 200) assert.match(text, /event: error\ndata: \{"type":"error","code":"THREAD_NOT_FOUND"/, text);
          else {
            assert.equal(res.status, 404, text);
            assert.equal(JSON.parse(text).code, 'THREAD_NOT_FOUND');
          }
        }
      }
      assert.deepEqual(await Promise.all([count('agent_runs', b.workspaceId), count('agent_messages', b.workspaceId), count('agent_threads', b.workspaceId)]), before, `nothing written (cache ${isWarm ? 'warm' : 'cold'})`);
    }
  });
});
