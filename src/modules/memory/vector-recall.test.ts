// Vector recall over real HTTP against the fake provider (whose embeddings put "bill" near
// "invoice"): memories are embedded by the memory.embed job after `remember` answered, metered
// to the workspace; recall then finds by meaning what shares no word with the query; an edit
// re-embeds; another workspace never sees them; a workspace whose model cannot be reached
// still recalls by words (200, not 500); the hourly sweep queues workspaces left behind.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';
import { connectFakeProvider, startFakeLlm } from '../../../test/helpers/fake-llm.ts';
import type { FakeLlm } from '../../../test/helpers/fake-llm.ts';
import { queueEmbeddingBacklogs } from './embed-memories.job.ts';

const PROVIDER_KEY = 'sk-fake-vector-recall-3e9a';
const MODEL = 'fake/text-embedding-3-small';

describe('memory: vector recall', () => {
  let platform: TestPlatform;
  let fake: FakeLlm;
  let a: Tenant;
  let b: Tenant;

  async function api(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(`${platform.baseUrl}/api/v1${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
    const text = await res.text();
    return { status: res.status, json: (text ? JSON.parse(text) : {}) as Record<string, unknown> & { data?: Array<Record<string, unknown>> } };
  }
  const unembedded = (t: Tenant) => platform.db.withPlatform(async (tx) =>
    Number((await tx.query<{ n: string }>('select count(*) as n from memories where workspace_id = $1 and embedding is null', [t.workspaceId])).rows[0].n));
  async function until(check: () => Promise<boolean>, what: string) {
    const end = Date.now() + 15_000;
    while (!(await check())) {
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  before(async () => {
    fake = await startFakeLlm({ apiKey: PROVIDER_KEY });
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    platform.jobs.start();
    a = await createTenant(platform, 'vector-a');
    b = await createTenant(platform, 'vector-b');
    await connectFakeProvider(platform.baseUrl, a.tokens, fake, PROVIDER_KEY);
  });
  after(async () => {
    await platform.stop();
    await fake.close();
  });

  test('memories are embedded after remember answers; recall finds by meaning; an edit re-embeds; metered', async () => {
    const invoices = await api(a.tokens.member, 'POST', '/memories', { text: 'Acme settles every invoice in euros.' });
    const closed = await api(a.tokens.member, 'POST', '/memories', { text: 'The office is closed on Fridays.' });
    assert.equal(invoices.status, 201);
    // Words only, before the model is set: nothing shares a word (or a near spelling) with the query.
    assert.deepEqual((await api(a.tokens.viewer, 'GET', '/memories/recall?query=bill%20money')).json.data, []);

    assert.equal((await api(a.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'memory.embedding_model': 'has space' } })).status, 400);
    assert.equal((await api(a.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'memory.embedding_model': MODEL } })).status, 200);
    // The two memories kept before the model was set: the hourly sweep queues their workspace.
    assert.ok(await queueEmbeddingBacklogs(platform.jobs, platform.db) >= 1);
    await until(async () => (await unembedded(a)) === 0, 'the backlog to be embedded');

    const found = await api(a.tokens.viewer, 'GET', '/memories/recall?query=bill%20money');
    assert.equal(found.status, 200);
    assert.equal(found.json.data![0]?.id, invoices.json.id, JSON.stringify(found.json));
    assert.ok(!found.json.data!.some((m) => m.id === closed.json.id), 'an unrelated memory is not recalled');

    // A new memory is embedded by the job its remember queued, after the answer.
    // (No sweep runs here: only the job its remember queued can embed it. The job may have run
    // and left the queue before any look at it, so the test waits for its effect.)
    const help = await api(a.tokens.member, 'POST', '/memories', { text: 'Helpdesk answers from nine to five.' });
    await until(async () => (await unembedded(a)) === 0, 'the new memory to be embedded');
    assert.equal((await api(a.tokens.viewer, 'GET', '/memories/recall?query=support%20hours')).json.data![0]?.id, help.json.id);

    // Editing the text clears its embedding until the job has made the new one.
    assert.equal((await api(a.tokens.member, 'PATCH', `/memories/${closed.json.id}`, { text: 'Payment is due by the end of the month.' })).status, 200);
    await until(async () => (await unembedded(a)) === 0, 'the edited memory to be re-embedded');
    const afterEdit = await api(a.tokens.viewer, 'GET', '/memories/recall?query=bill&limit=5');
    assert.ok(afterEdit.json.data!.some((m) => m.id === closed.json.id), 'the edited text is found by its new meaning');

    // A text the model refuses does not stall the others of its batch: it is marked as tried
    // (an empty vector), the rest embedded, nothing left pending, and it is still found by words.
    const [bad, good] = await platform.db.withWorkspace(a.workspaceId, async (tx) => (await tx.query<{ id: string }>(
      `insert into memories (workspace_id, text) values ($1, 'Unreadable note FAKE_REFUSE_EMBEDDING about invoices'), ($1, 'Another bill arrived from Globex')
       returning id`, [a.workspaceId])).rows.map((r) => r.id));
    assert.ok(await queueEmbeddingBacklogs(platform.jobs, platform.db) >= 1);
    await until(async () => (await unembedded(a)) === 0, 'the batch with a refused text to be done');
    const sizes = new Map((await platform.db.withPlatform((tx) => tx.query<{ id: string; n: number | null; model: string }>(
      'select id, cardinality(embedding) as n, embedding_model as model from memories where id = any($1::uuid[])', [[bad, good]]))).rows.map((r) => [r.id, r]));
    assert.equal(sizes.get(bad)!.n, 0, 'tried, refused, not retried');
    assert.equal(sizes.get(bad)!.model, MODEL);
    assert.equal(sizes.get(good)!.n, 8);
    const byWords = await api(a.tokens.viewer, 'GET', '/memories/recall?query=unreadable');
    assert.equal(byWords.status, 200);
    assert.equal(byWords.json.data![0]?.id, bad);

    const events = (await platform.db.withPlatform((tx) => tx.query<{ model: string }>("select model from usage_events where workspace_id = $1 and model like '%embedding%'", [a.workspaceId]))).rows;
    assert.ok(events.length >= 4, `embeddings are metered to the workspace (${events.length})`);
  });

  test('another workspace never recalls them; a model that cannot be reached leaves recall lexical, not failed', async () => {
    assert.equal((await api(b.tokens.admin, 'PATCH', '/workspaces/current', { settings: { 'memory.embedding_model': MODEL } })).status, 200);
    const own = await api(b.tokens.member, 'POST', '/memories', { text: 'Globex sends its invoice by post.' });
    assert.equal(own.status, 201);
    const recalled = await api(b.tokens.viewer, 'GET', '/memories/recall?query=invoice%20euros');
    assert.equal(recalled.status, 200, 'no provider in B: recall by words, no 5xx');
    assert.deepEqual(recalled.json.data!.map((m) => m.id), [own.json.id], 'B finds its own memory only');
    // A's embeddings are never compared with B's query, even bound to B with A's model.
    const crossed = await platform.db.withWorkspace(b.workspaceId, async (tx) =>
      (await tx.query("select count(*)::int as n from memories where embedding is not null")).rows[0] as { n: number });
    assert.equal(crossed.n, 0, 'B\'s transaction sees no embedded memory (A\'s are behind RLS; B\'s own cannot be embedded without a provider)');
  });
});
