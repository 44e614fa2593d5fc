// `npm run bench:memory`: long-term memory at BENCH_MEMORIES (default 100,000) memories in one
// workspace. Recall (lexical + a tag filter, through the API with a user token) against a bare
// Fastify + pg handler sending the same statements (bench/servers/memory-bare-server.ts), same
// run, interleaved rounds; then `remember` acknowledged. Issue 13's targets: recall p95 ≤ 20 ms,
// remember p95 ≤ 20 ms. (Mem0 publishes p95 1.4 s with its LLM on the read path.)
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { startSeedPlatform, BENCH_SECRET } from './lib/database.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { createTenant } from '../test/helpers/tenants.ts';

const MEMORIES = Number(process.env.BENCH_MEMORIES ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 8;
const PORT = 3871;
process.env.ATRIUM_BENCH_PG_PORT ??= '54367';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A vocabulary of agency words, and memories of 12 to 30 of them.
const WORDS = ('invoice client meeting budget campaign report deadline contract supplier delivery payment reminder newsletter website launch design logo brand social media '
  + 'analytics conversion lead pipeline renewal subscription support ticket onboarding training workshop quote proposal discount refund shipping warehouse stock inventory '
  + 'appointment patient clinic dentist booking calendar schedule morning afternoon evening weekend monday tuesday wednesday thursday friday euro dollar pound paris london '
  + 'berlin madrid lyon marseille toulouse nantes bordeaux lille strasbourg rennes prefers wants needs asked agreed approved rejected postponed urgent important quarterly '
  + 'monthly weekly daily annual contact email phone address manager director assistant accountant lawyer designer developer marketer owner partner vendor agency').split(' ');
const TAGS = ['billing', 'sales', 'support', 'marketing', 'ops', 'legal', 'hr', 'product', 'clinic', 'retail', 'finance', 'tech', 'design', 'events', 'travel', 'food', 'health', 'education', 'logistics', 'media'];
// 2,000 words (each base word and nine derived forms), drawn with a skew (a few words are
// everywhere, most are rare), as in text people write.
const VOCABULARY = WORDS.flatMap((w) => ['', 's', 'ed', 'ing', 'er', 'ly', 'ion', 'al', 'ity', 'ment'].map((suffix) => `${w}${suffix}`));
const QUERIES = Array.from({ length: 64 }, (_, i) => ({ query: `${VOCABULARY[(i * 37) % VOCABULARY.length]} ${VOCABULARY[(i * 53 + 11) % VOCABULARY.length]}`, tags: TAGS[i % TAGS.length] }));

async function load(url: (i: number) => string, token: string, seconds: number, method = 'GET', body?: (i: number) => string, concurrency = CONCURRENCY): Promise<{ rps: number; p50: number; p95: number; p99: number; errors: number; n: number }> {
  const times: number[] = [];
  let errors = 0;
  let i = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const k = i++;
      const started = performance.now();
      const res = await fetch(url(k), { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body?.(k) });
      await res.arrayBuffer();
      times.push(performance.now() - started);
      if (res.status >= 300) errors++;
    }
  }));
  return { rps: times.length / ((performance.now() - t0) / 1000), p50: pct(times, 0.5), p95: pct(times, 0.95), p99: pct(times, 0.99), errors, n: times.length };
}

const { database, db, seedPlatform } = await startSeedPlatform();
const t = await createTenant(seedPlatform, 'bench-memory');
await db.withPlatform((tx) => tx.query(`update workspaces set plan = 'enterprise' where id = $1`, [t.workspaceId]));
const created = await seedPlatform.app.inject({ method: 'POST', url: '/api/v1/agents', headers: { authorization: `Bearer ${t.tokens.owner}` }, payload: { name: 'Bench agent', config: { model: 'none/none' } } });
const agentId = (created.json() as { id: string }).id;
await seedPlatform.close();

const seedStarted = performance.now();
const owner = new pg.Client({ connectionString: database.ownerUrl });
await owner.connect();
for (let from = 0; from < MEMORIES; from += 20_000) {
  const count = Math.min(20_000, MEMORIES - from);
  await owner.query(
    `insert into memories (workspace_id, agent_id, text, tags)
     select $1, case when i % 5 = 0 then null else $2::uuid end,
            (select string_agg(($3::text[])[1 + floor(power(random(), 2) * array_length($3::text[], 1))::int], ' ') from generate_series(1, 12 + (i % 19) + 0 * i)),
            array[($4::text[])[1 + (i % 20)], ($4::text[])[1 + ((i * 7) % 20)]]
       from generate_series($5::int, $6::int) i`, [t.workspaceId, agentId, VOCABULARY, TAGS, from + 1, from + count]);
  process.stdout.write(`\rseeded ${(from + count).toLocaleString('en-US')} / ${MEMORIES.toLocaleString('en-US')} memories`);
}
await owner.query('analyze memories');
await owner.end();
console.log(` in ${((performance.now() - seedStarted) / 1000).toFixed(0)} s`);

const appUrl = deriveAppUrl(database.ownerUrl, deriveAppPassword(BENCH_SECRET));
const contenders = {
  atrium: { file: 'atrium-server.ts', args: [String(PORT), database.ownerUrl], base: `http://127.0.0.1:${PORT}/api/v1` },
  bare: { file: 'memory-bare-server.ts', args: [String(PORT), BENCH_SECRET, appUrl], base: `http://127.0.0.1:${PORT}` },
};
const recallUrl = (base: string) => (i: number) => { const q = QUERIES[i % QUERIES.length]; return `${base}/agents/${agentId}/recall?query=${encodeURIComponent(q.query)}&tags=${q.tags}&limit=5`; };
const runs: Record<string, Array<Awaited<ReturnType<typeof load>>>> = { atrium: [], bare: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, c] of Object.entries(contenders)) {
    const { child: server } = await start(c.file, c.args);
    await load(recallUrl(c.base), t.tokens.owner, 2); // warm-up
    runs[name].push(await load(recallUrl(c.base), t.tokens.owner, DURATION));
    await stop(server);
  }
}
const summary = (list: typeof runs.atrium) => ({ rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p95: median(list.map((r) => r.p95)), p99: median(list.map((r) => r.p99)), errors: list.reduce((n, r) => n + r.errors, 0) });
const a = summary(runs.atrium);
const b = summary(runs.bare);
const f = (v: number) => `${v.toFixed(2)} ms`;
console.log(`\nRecall over ${MEMORIES.toLocaleString('en-US')} memories (full text + trigram, a tag filter, top 5; ${CONCURRENCY} at a time, median of ${ROUNDS} rounds)`);
console.table({
  'throughput (req/s)': { atrium: Math.round(a.rps), bare: Math.round(b.rps), ratio: (a.rps / b.rps).toFixed(2) },
  p50: { atrium: f(a.p50), bare: f(b.p50) },
  p95: { atrium: f(a.p95), bare: f(b.p95), ratio: (a.p95 / b.p95).toFixed(2) },
  p99: { atrium: f(a.p99), bare: f(b.p99) },
});
console.log(`errors: atrium ${a.errors}, bare ${b.errors}`);

// One at a time: the latency of a recall on its own, with no queue in front of the two cores.
const alone: Record<string, Awaited<ReturnType<typeof load>>> = {};
for (const [name, c] of Object.entries(contenders)) {
  const { child: server } = await start(c.file, c.args);
  await load(recallUrl(c.base), t.tokens.owner, 2, 'GET', undefined, 1);
  alone[name] = await load(recallUrl(c.base), t.tokens.owner, DURATION, 'GET', undefined, 1);
  await stop(server);
}
console.log(`recall one at a time: atrium p50 ${f(alone.atrium.p50)}, p95 ${f(alone.atrium.p95)}, p99 ${f(alone.atrium.p99)}; bare p50 ${f(alone.bare.p50)}, p95 ${f(alone.bare.p95)}; p95 ratio ${(alone.atrium.p95 / alone.bare.p95).toFixed(2)}`);

// remember, acknowledged (each a new memory, the quota checked, the counters moved).
const { child: server } = await start(contenders.atrium.file, contenders.atrium.args);
const note = (offset: number) => (i: number) => JSON.stringify({ text: `Bench note ${i + offset}: ${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]} ${WORDS[(i * 11) % WORDS.length]} ${(i + offset) * 7919}`, tags: [TAGS[i % 20]] });
const remembered = await load(() => `${contenders.atrium.base}/agents/${agentId}/remember`, t.tokens.owner, DURATION, 'POST', note(0));
const rememberedAlone = await load(() => `${contenders.atrium.base}/agents/${agentId}/remember`, t.tokens.owner, DURATION, 'POST', note(10_000_000), 1);
await stop(server);
console.log(`\nremember, ${CONCURRENCY} at a time: ${remembered.n.toLocaleString('en-US')} acknowledged, ${Math.round(remembered.rps)}/s, p50 ${f(remembered.p50)}, p95 ${f(remembered.p95)}, p99 ${f(remembered.p99)}, errors ${remembered.errors}`);
console.log(`remember, one at a time: ${rememberedAlone.n.toLocaleString('en-US')} acknowledged, p50 ${f(rememberedAlone.p50)}, p95 ${f(rememberedAlone.p95)}, p99 ${f(rememberedAlone.p99)}, errors ${rememberedAlone.errors}`);
// Hybrid recall: every memory embedded (256 dimensions, as text-embedding-3 gives with
// `dimensions: 256`), the workspace naming the model, the query embedded through the gateway
// (the fake provider, in its own process) and the exact scan of the newest 2,000 in scope.
// Against the same recall by words only, same run, one at a time and 8 at a time.
const KEY = 'sk-bench-memory-vectors';
const fake = await start('fake-llm-server.ts', [KEY]);
const MODEL = 'fake/text-embedding-3-small-dim256';
const vectorSeed = new pg.Client({ connectionString: database.ownerUrl });
await vectorSeed.connect();
const embedStarted = performance.now();
await vectorSeed.query(`update memories set embedding = (select array_agg((random() - 0.5)::real) from generate_series(1, 256 + 0 * length(text))), embedding_model = $2 where workspace_id = $1`, [t.workspaceId, MODEL]);
await vectorSeed.query('vacuum analyze memories');
await vectorSeed.end();
console.log(`\nembedded ${MEMORIES.toLocaleString('en-US')} memories (256 dimensions) in ${((performance.now() - embedStarted) / 1000).toFixed(0)} s`);
const hybrid = await start(contenders.atrium.file, contenders.atrium.args);
for (const [method, url, body] of [
  ['PUT', '/secrets/EMBEDDINGS', { value: KEY }],
  ['PATCH', '/workspaces/current', { settings: { 'network.allow_private_addresses': true } }],
  ['POST', '/llm/providers', { name: 'fake', kind: 'openai_compatible', baseUrl: `${String(fake.message)}/openai/v1`, secretName: 'EMBEDDINGS' }],
  ['PATCH', '/workspaces/current', { settings: { 'memory.embedding_model': MODEL } }],
] as const) {
  const res = await fetch(`${contenders.atrium.base}${url}`, { method, headers: { authorization: `Bearer ${t.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
}
await load(recallUrl(contenders.atrium.base), t.tokens.owner, 2, 'GET', undefined, 1);
const hybridAlone = await load(recallUrl(contenders.atrium.base), t.tokens.owner, DURATION, 'GET', undefined, 1);
const hybridLoaded = await load(recallUrl(contenders.atrium.base), t.tokens.owner, DURATION);
await stop(hybrid.child);
await stop(fake.child);
console.log(`hybrid recall (words + meaning), one at a time: p50 ${f(hybridAlone.p50)}, p95 ${f(hybridAlone.p95)}, p99 ${f(hybridAlone.p99)}, errors ${hybridAlone.errors}; words only (above): p95 ${f(alone.atrium.p95)}; ratio ${(hybridAlone.p95 / alone.atrium.p95).toFixed(2)}`);
console.log(`hybrid recall, ${CONCURRENCY} at a time: ${Math.round(hybridLoaded.rps)} req/s, p50 ${f(hybridLoaded.p50)}, p95 ${f(hybridLoaded.p95)}, p99 ${f(hybridLoaded.p99)}, errors ${hybridLoaded.errors}; words only: ${Math.round(a.rps)} req/s, p95 ${f(a.p95)}`);
await db.close();
await database.stop();
