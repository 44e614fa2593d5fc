// `npm run bench:llm`: the AI gateway against a bare pass-through proxy (undici, no auth, no
// metering: bench/servers/llm-bare-proxy.ts) to the same fake upstream (a process of its own),
// same run; then the budget race and the analytics queries. Figures (issue 12 targets):
//  * non-streamed at 500 requests/s: p99 added by the gateway (≤ 10 ms), peak throughput ratio (≥ 0.7×);
//  * streamed: time to first token added, p99 (≤ 5 ms);
//  * budget race: 1,000 concurrent calls against a budget with room for 10 (≤ 11 admitted, spend
//    ≤ cap + one call), and calls one by one: the first refusal comes above 95 % of the cap;
//  * analytics: BENCH_USAGE_EVENTS (default 10 million) events over 90 days in one workspace:
//    the analytics page's queries p95 (≤ 500 ms), CSV of a million rows (≤ 30 s).
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { withCpu } from './lib/cpu.ts';
import { benchPostmasterPid, startSeedPlatform } from './lib/database.ts';
import { createTenant } from '../test/helpers/tenants.ts';
import { countPromptTokens } from '../src/modules/llm/count-tokens.ts';
import { summarizeUsage } from '../src/modules/usage/summarize-usage.ts';
import { exportUsage } from '../src/modules/usage/export-usage.ts';
import { rollUpUsage } from '../src/modules/usage/roll-up.job.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const EVENTS = Number(process.env.BENCH_USAGE_EVENTS ?? 10_000_000);
const ATRIUM_PORT = 3861;
const PROXY_PORT = 3862;
const KEY = 'sk-bench-upstream';
process.env.ATRIUM_BENCH_PG_PORT ??= '54366';

const ms = (v: number) => `${v.toFixed(2)} ms`;

const MESSAGES = [{ role: 'user', content: 'Say hello to the benchmark, briefly.' }];
const body = (model: string, extra: Record<string, unknown> = {}) => JSON.stringify({ model, messages: MESSAGES, max_tokens: 100, ...extra });

async function nonStreamed(url: string, token: string, model: string, rate?: number) {
  const r = await autocannon({
    url, method: 'POST', duration: DURATION, connections: rate ? 16 : 32, ...(rate ? { overallRate: rate } : {}),
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body(model),
  });
  return { rps: r.requests.average, requests: r.requests.total, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** Time to the first content chunk of streamed calls, 16 at a time, for DURATION seconds. */
async function ttft(url: string, token: string, model: string): Promise<{ p50: number; p99: number; n: number }> {
  const times: number[] = [];
  const end = Date.now() + DURATION * 1000;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body(model, { stream: true }) });
      const reader = res.body!.getReader();
      let text = '';
      let isFirst = true;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
        if (isFirst && /"content":"[^"]/.test(text)) {
          times.push(performance.now() - t0);
          isFirst = false;
        }
      }
    }
  }));
  return { p50: pct(times, 0.5), p99: pct(times, 0.99), n: times.length };
}

const { database, db, seedPlatform } = await startSeedPlatform();
const fake = await start('fake-llm-server.ts', [KEY]);
const upstream = `${String(fake.message)}/openai/v1`;

// Three workspaces on the enterprise plan (no default limits): load, race (room for 10 calls), one-by-one (room for 50).
const perCall = countPromptTokens({ model: 'x', messages: MESSAGES as never }) + 100;
const tenants: Record<string, Awaited<ReturnType<typeof createTenant>>> = {};
for (const [slug, cap] of [['bench-load', null], ['bench-race', perCall * 10], ['bench-race-held', perCall * 10], ['bench-steady', perCall * 50]] as const) {
  const t = await createTenant(seedPlatform, slug, { apiKeyRole: 'member' });
  tenants[slug] = t;
  await db.withPlatform((tx) => tx.query(`update workspaces set plan = 'enterprise' where id = $1`, [t.workspaceId]));
  const h = { authorization: `Bearer ${t.tokens.owner}` };
  for (const [method, url, payload] of [
    ['PUT', '/api/v1/secrets/UPSTREAM', { value: KEY }],
    ['PATCH', '/api/v1/workspaces/current', { settings: { 'network.allow_private_addresses': true } }],
    ['POST', '/api/v1/llm/providers', { name: 'up', kind: 'openai_compatible', baseUrl: upstream, secretName: 'UPSTREAM' }],
  ] as const) {
    const res = await seedPlatform.app.inject({ method, url, headers: h, payload });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
  }
  if (cap !== null) await db.withPlatform((tx) => tx.query(`insert into usage_quotas (workspace_id, scope, subject_id, monthly_tokens) values ($1, 'workspace', $1, $2)`, [t.workspaceId, cap]));
}
await seedPlatform.close();

const atrium = await start('atrium-server.ts', [String(ATRIUM_PORT), database.ownerUrl]);
const proxy = await start('llm-bare-proxy.ts', [String(PROXY_PORT), upstream, KEY]);
const gw = `http://127.0.0.1:${ATRIUM_PORT}/v1/chat/completions`;
const px = `http://127.0.0.1:${PROXY_PORT}/v1/chat/completions`;
const key = tenants['bench-load'].apiKey;

// Warm up both at full speed (V8 optimises the hot path after some thousands of calls; at
// 200/s the first peak measure still paid for it), then measure one at a time.
await nonStreamed(gw, key, 'up/gpt-4o-mini');
await nonStreamed(px, 'none', 'gpt-4o-mini');
// CPU per request at peak, by process tree (the load generator is this process).
const pgPid = benchPostmasterPid();
const fakePid = fake.child.pid!;
const peakGw = await withCpu({ atrium: atrium.child.pid!, postgres: pgPid, upstream: fakePid, load: process.pid }, () => nonStreamed(gw, key, 'up/gpt-4o-mini'));
const peakPx = await withCpu({ proxy: proxy.child.pid!, postgres: pgPid, upstream: fakePid, load: process.pid }, () => nonStreamed(px, 'none', 'gpt-4o-mini'));
// Atrium's pipeline alone: GET /v1/models authenticates the key, resolves its access, leases the
// rate limit, captures the API log and answers from the routing snapshot — no provider call, no write.
const pipeline = await withCpu({ atrium: atrium.child.pid! }, async () => {
  const r = await autocannon({ url: `http://127.0.0.1:${ATRIUM_PORT}/v1/models`, duration: DURATION, connections: 32, headers: { authorization: `Bearer ${key}` } });
  return { rps: r.requests.average, requests: r.requests.total, non2xx: r.non2xx };
});
const fixedGw = await nonStreamed(gw, key, 'up/gpt-4o-mini', 500);
const fixedPx = await nonStreamed(px, 'none', 'gpt-4o-mini', 500);
const streamGw = await ttft(gw, key, 'up/gpt-4o-mini');
const streamPx = await ttft(px, 'none', 'gpt-4o-mini');
console.log('\nGateway vs a bare undici pass-through proxy, same fake upstream');
console.table({
  'peak throughput (req/s)': { atrium: Math.round(peakGw.rps), proxy: Math.round(peakPx.rps), ratio: (peakGw.rps / peakPx.rps).toFixed(2) },
  'p50 at 500/s': { atrium: ms(fixedGw.p50), proxy: ms(fixedPx.p50), added: ms(fixedGw.p50 - fixedPx.p50) },
  'p99 at 500/s': { atrium: ms(fixedGw.p99), proxy: ms(fixedPx.p99), added: ms(fixedGw.p99 - fixedPx.p99) },
  'streamed TTFT p50': { atrium: ms(streamGw.p50), proxy: ms(streamPx.p50), added: ms(streamGw.p50 - streamPx.p50) },
  'streamed TTFT p99': { atrium: ms(streamGw.p99), proxy: ms(streamPx.p99), added: ms(streamGw.p99 - streamPx.p99) },
});
const cpu = (c: Record<string, number>) => Object.entries(c).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
console.log(`CPU ms per request at peak — gateway: ${cpu(peakGw.cpuMsPerRequest)}; proxy: ${cpu(peakPx.cpuMsPerRequest)}`);
console.log(`Atrium's pipeline alone (GET /v1/models: no provider call, no write): ${Math.round(pipeline.rps)} req/s, ${pipeline.cpuMsPerRequest.atrium.toFixed(3)} ms CPU per request${pipeline.non2xx ? ` (${pipeline.non2xx} non-2xx)` : ''}`);
console.log(`the contender's own CPU per request (with its database): atrium ${(peakGw.cpuMsPerRequest.atrium + peakGw.cpuMsPerRequest.postgres).toFixed(3)} ms, proxy ${(peakPx.cpuMsPerRequest.proxy + peakPx.cpuMsPerRequest.postgres).toFixed(3)} ms`);
console.log(`non-2xx: atrium ${peakGw.non2xx + fixedGw.non2xx}, proxy ${peakPx.non2xx + fixedPx.non2xx}; streamed calls measured: ${streamGw.n} / ${streamPx.n}`);

// Budget race: 1,000 concurrent calls, room for 10. Twice: with the fake's quick answers (calls
// that end during the race give back the part of their hold they did not use, which admits
// more), and with answers 1.5 s late (every call is in flight at once: the strict case).
// BENCH_GATEWAY_ONLY=1: the overhead figures only (for A/B work on the call path).
const isGatewayOnly = process.env.BENCH_GATEWAY_ONLY === '1';
const spent = async (ws: string) => Number((await db.withPlatform((tx) => tx.query<{ s: string }>(`select coalesce(sum(spent_tokens), 0) as s from usage_counters where workspace_id = $1 and scope = 'workspace'`, [ws]))).rows[0].s);
for (const [slug, model, what] of isGatewayOnly ? [] : [['bench-race', 'up/gpt-4o-mini', 'quick answers'], ['bench-race-held', 'up/gpt-4o-mini-slow', 'answers after 1.5 s, all in flight']] as const) {
  const race = tenants[slug];
  const outcomes = await Promise.all(Array.from({ length: 1000 }, () => fetch(gw, { method: 'POST', headers: { authorization: `Bearer ${race.apiKey}`, 'content-type': 'application/json' }, body: body(model) }).then(async (r) => { await r.arrayBuffer(); return r.status; })));
  const admitted = outcomes.filter((s) => s === 200).length;
  const refused = outcomes.filter((s) => s === 429).length;
  const raceSpent = await spent(race.workspaceId);
  console.log(`\nBudget race (${what}): 1,000 concurrent calls, room for 10 (cap ${perCall * 10} tokens): ${admitted} admitted, ${refused} refused (429), ${outcomes.length - admitted - refused} other; spend ${raceSpent} tokens (≤ cap: ${raceSpent <= perCall * 10})`);
}
const steady = tenants['bench-steady'];
let calls = 0;
for (; !isGatewayOnly;) {
  const r = await fetch(gw, { method: 'POST', headers: { authorization: `Bearer ${steady.apiKey}`, 'content-type': 'application/json' }, body: body('up/gpt-4o-mini') });
  await r.arrayBuffer();
  if (r.status !== 200) break;
  calls++;
}
const steadySpent = await spent(steady.workspaceId);
if (!isGatewayOnly) console.log(`One by one: ${calls} calls admitted, the first refusal at ${(100 * steadySpent / (perCall * 50)).toFixed(1)} % of the cap (no false refusal below 95 %: ${steadySpent >= perCall * 50 * 0.95 || steadySpent + perCall > perCall * 50})`);
await stop(atrium.child);
await stop(proxy.child);
await stop(fake.child);

// Analytics over EVENTS events in one workspace.
if (EVENTS > 0 && !isGatewayOnly) {
  const ws = tenants['bench-load'].workspaceId;
  const t0 = performance.now();
  const chunk = 1_000_000;
  for (let done = 0; done < EVENTS; done += chunk) {
    const n = Math.min(chunk, EVENTS - done);
    // A workspace's traffic: 10 API keys, 10 agents (each on its model and provider), 2 % errors,
    // latencies spread around each model's own; 20 % of calls on an unpriced local model.
    await db.withPlatform((tx) => tx.query(
      `insert into usage_events (workspace_id, occurred_at, api_key_id, agent_id, provider_name, operation, api_format, model, input_tokens, output_tokens, cost_micros, pricing, usage_source, status, provider_latency_ms)
       select $1, now() - (random() * interval '90 days'), ('00000000-0000-4000-8000-' || lpad((i % 10)::text, 12, '0'))::uuid,
              ('00000000-0000-4000-9000-' || lpad((i % 10)::text, 12, '0'))::uuid,
              (array['openai','openai','anthropic','anthropic','ollama'])[1 + i % 5], 'chat', 'openai',
              (array['gpt-4o-mini','gpt-4o','claude-haiku-4-5','claude-sonnet-4-5','llama3'])[1 + i % 5], 100 + i % 900, 10 + i % 300,
              case when i % 5 = 4 then null else 50 + i % 5000 end, case when i % 5 = 4 then 'unpriced' else 'priced' end, 'provider',
              case when i % 50 = 7 then 'error' else 'ok' end, (300 + 400 * (i % 5)) * (0.7 + random() * 0.6)
         from generate_series($2::bigint, $3::bigint) i`, [ws, done, done + n - 1]));
    process.stderr.write(`\rseeded ${(done + n).toLocaleString('en-US')} / ${EVENTS.toLocaleString('en-US')} usage events`);
  }
  process.stderr.write('\n');
  const seeded = performance.now() - t0;
  await db.withPlatform((tx) => tx.query(`update usage_rollup_watermark set rolled_to = date_trunc('hour', now()) - interval '91 days'`));
  await db.owner.query('analyze usage_events');
  const r0 = performance.now();
  await rollUpUsage({ db });
  const rolled = performance.now() - r0;
  await db.owner.query('analyze usage_rollups');
  const from = new Date(Date.now() - 90 * 86_400_000).toISOString();
  const to = new Date().toISOString();
  const queries = [
    { groupBy: 'day', split: 'model' }, { groupBy: 'provider' }, { groupBy: 'model' }, { groupBy: 'apiKey' }, { groupBy: 'agent' },
  ] as const;
  const pageTimes: number[] = [];
  const queryTimes: number[] = [];
  for (let i = 0; i < 20; i++) {
    const p0 = performance.now();
    await Promise.all(queries.map(async (q) => {
      const q0 = performance.now();
      await db.withWorkspace(ws, (tx) => summarizeUsage(tx, ws, { from, to, ...q }));
      queryTimes.push(performance.now() - q0);
    }));
    pageTimes.push(performance.now() - p0);
  }
  // The same page from the raw events (what a page without rollups would cost): one query.
  const raw0 = performance.now();
  await db.withWorkspace(ws, (tx) => tx.query(`select date_trunc('day', occurred_at), model, count(*), sum(input_tokens), sum(cost_micros) from usage_events where workspace_id = $1 and occurred_at >= $2 group by 1, 2`, [ws, from]));
  const rawMs = performance.now() - raw0;
  // CSV of ~1 million rows: the window holding the newest million events.
  const { rows: [edge] } = await db.withPlatform((tx) => tx.query<{ at: Date }>('select occurred_at as at from usage_events where workspace_id = $1 order by occurred_at desc offset 999999 limit 1', [ws]));
  const c0 = performance.now();
  let bytes = 0;
  let lines = 0;
  for await (const text of await exportUsage(db, ws, { from: (edge?.at ?? new Date(from)).toISOString(), to })) {
    bytes += Buffer.byteLength(text);
    for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lines++;
  }
  const csvMs = performance.now() - c0;
  console.log(`\nAnalytics over ${EVENTS.toLocaleString('en-US')} events (90 days, one workspace): seeded in ${(seeded / 1000).toFixed(0)} s, rolled up in ${(rolled / 1000).toFixed(1)} s`);
  console.table({
    'one query p95': { ms: pct(queryTimes, 0.95).toFixed(0) },
    'whole page (5 queries in parallel) p95': { ms: pct(pageTimes, 0.95).toFixed(0) },
    'the daily chart from raw events (no rollups)': { ms: rawMs.toFixed(0) },
    [`CSV export, ${(lines - 1).toLocaleString('en-US')} rows, ${(bytes / 1e6).toFixed(0)} MB`]: { ms: csvMs.toFixed(0) },
  });
}
await db.close();
await database.stop();
