// `npm run bench:data-api`: the generated GraphQL API of a workspace's own tables (issue 14's
// targets) against a bare Fastify + pg handler sending the same statements in the same kind of
// transaction (bench/servers/data-bare-server.ts), same run, interleaved rounds:
//   - a list of 20 rows: peak req/s (ratio ≥ 0.6×), then p95 at half of Atrium's peak (≤ 50 ms);
//   - a 3-level nested query (projects → tasks → comments): p95 at half peak (≤ 50 ms);
//   - by primary key, one at a time: p50 (≤ 10 ms);
// then the shape cache, in this process: BENCH_SHAPE_WORKSPACES (default 2,000) workspaces with the
// same 10 tables — heap growth per extra same-shape workspace (≤ 1 MB), the time to build a new
// shape (≤ 1 s) — and a query's latency in one workspace while another runs DDL.
import { copyFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { pct, startProcess as start, stopProcess as stop } from './lib/processes.ts';
import { startSeedPlatform, BENCH_SECRET } from './lib/database.ts';
import { deriveAppUrl } from '../src/kernel/db/pool.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { dataSchemaOf } from '../src/kernel/db/database.ts';
import { createTenant } from '../test/helpers/tenants.ts';

const DURATION = Number(process.env.BENCH_DURATION ?? 8);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONCURRENCY = 16;
const SHAPE_WORKSPACES = Number(process.env.BENCH_SHAPE_WORKSPACES ?? 2000);
const PORT = 3873;
process.env.ATRIUM_BENCH_PG_PORT ??= '54369';
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f = (v: number) => `${v.toFixed(2)} ms`;

type Result = { rps: number; p50: number; p95: number; p99: number; errors: number; n: number };

async function send(url: string, token: string, body: string): Promise<{ ms: number; ok: boolean }> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
  const json = await res.json() as { errors?: unknown; data?: unknown };
  return { ms: performance.now() - started, ok: res.status === 200 && !json.errors && !!json.data };
}

/** Closed loop: `concurrency` clients, each sending the next request when the last one answered. */
async function closed(url: string, token: string, body: (i: number) => string, seconds: number, concurrency = CONCURRENCY): Promise<Result> {
  const times: number[] = [];
  let errors = 0;
  let i = 0;
  const end = Date.now() + seconds * 1000;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const r = await send(url, token, body(i++));
      times.push(r.ms);
      if (!r.ok) errors++;
    }
  }));
  return { rps: times.length / ((performance.now() - t0) / 1000), p50: pct(times, 0.5), p95: pct(times, 0.95), p99: pct(times, 0.99), errors, n: times.length };
}

/** Open loop: requests started at a fixed rate whatever the answers do (latency at a given load). */
async function open(url: string, token: string, body: (i: number) => string, rate: number, seconds: number): Promise<Result> {
  const times: number[] = [];
  let errors = 0;
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  const inflight: Array<Promise<void>> = [];
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    inflight.push(send(url, token, body(i)).then((r) => { times.push(r.ms); if (!r.ok) errors++; }));
  }
  await Promise.all(inflight);
  return { rps: times.length / ((performance.now() - t0) / 1000), p50: pct(times, 0.5), p95: pct(times, 0.95), p99: pct(times, 0.99), errors, n: times.length };
}

const TABLES = [
  { op: 'create_enum', name: 'task_status', values: ['todo', 'doing', 'done'] },
  { op: 'create_table', table: 'projects', columns: [{ name: 'name', type: 'text', nullable: false }] },
  { op: 'create_table', table: 'tasks', columns: [
    { name: 'title', type: 'text', nullable: false }, { name: 'status', type: 'enum', enum: 'task_status', nullable: false, default: 'todo' },
    { name: 'points', type: 'integer' }, { name: 'created_at', type: 'timestamptz', nullable: false, defaultExpression: 'now' },
    { name: 'project_id', type: 'uuid', nullable: false, references: { table: 'projects' } },
  ] },
  { op: 'create_table', table: 'comments', columns: [{ name: 'body', type: 'text', nullable: false }, { name: 'task_id', type: 'uuid', nullable: false, references: { table: 'tasks' } }] },
];

const { database, db, seedPlatform } = await startSeedPlatform();
const t = await createTenant(seedPlatform, 'bench-data');
await db.withPlatform((tx) => tx.query(`update workspaces set plan = 'enterprise' where id = $1`, [t.workspaceId]));
const made = await seedPlatform.app.inject({ method: 'POST', url: '/api/v1/data/migrations', headers: { authorization: `Bearer ${t.tokens.owner}` }, payload: { operations: TABLES } });
if (made.statusCode !== 201) throw new Error(`migration: ${made.statusCode} ${made.body}`);

const owner = new pg.Client({ connectionString: database.ownerUrl });
await owner.connect();
const { schema } = dataSchemaOf(t.workspaceId);
await owner.query(`set search_path = "${schema}"`);
await owner.query(`insert into projects (id, name) select gen_random_uuid(), 'Project ' || i from generate_series(1, 100) i`);
await owner.query(`insert into tasks (id, title, status, points, project_id) select gen_random_uuid(), 'Task ' || i, (array['todo','doing','done'])[1 + i % 3]::task_status, i % 13, p.id from projects p, generate_series(1, 100) i`);
await owner.query(`insert into comments (id, body, task_id) select gen_random_uuid(), 'Comment ' || i, t.id from tasks t, generate_series(1, 3) i`);
await owner.query('analyze projects; analyze tasks; analyze comments');
const anyTask = (await owner.query<{ id: string }>('select id from tasks order by id limit 500')).rows.map((r) => r.id);
await owner.query('set search_path to default');
console.log('seeded 100 projects, 10,000 tasks, 30,000 comments');

const LIST = JSON.stringify({ query: '{ tasks(first: 20) { nodes { id title status points createdAt } } }' });
const NESTED = JSON.stringify({ query: '{ projects(first: 10) { nodes { name tasks(first: 5) { title comments(first: 3) { body } } } } }' });
const byId = (i: number) => JSON.stringify({ query: 'query($id: UUID!) { taskById(id: $id) { id title status points createdAt } }', variables: { id: anyTask[i % anyTask.length] } });

const appUrl = deriveAppUrl(database.ownerUrl, deriveAppPassword(BENCH_SECRET));
const contenders = {
  atrium: { file: 'atrium-server.ts', args: [String(PORT), database.ownerUrl], url: `http://127.0.0.1:${PORT}/api/v1/data/graphql` },
  bare: { file: 'data-bare-server.ts', args: [String(PORT), BENCH_SECRET, appUrl], url: `http://127.0.0.1:${PORT}/data/graphql` },
};
const peak: Record<string, Result[]> = { atrium: [], bare: [] };
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, c] of Object.entries(contenders)) {
    const { child } = await start(c.file, c.args);
    await closed(c.url, t.tokens.member, () => LIST, 2);
    peak[name].push(await closed(c.url, t.tokens.member, () => LIST, DURATION));
    await stop(child);
  }
}
const summary = (list: Result[]) => ({ rps: median(list.map((r) => r.rps)), p50: median(list.map((r) => r.p50)), p95: median(list.map((r) => r.p95)), p99: median(list.map((r) => r.p99)), errors: list.reduce((n, r) => n + r.errors, 0) });
const a = summary(peak.atrium);
const b = summary(peak.bare);
console.log(`\nList of 20 rows, ${CONCURRENCY} clients, median of ${ROUNDS} rounds`);
console.table({
  'peak (req/s)': { atrium: Math.round(a.rps), bare: Math.round(b.rps), ratio: (a.rps / b.rps).toFixed(2) },
  p50: { atrium: f(a.p50), bare: f(b.p50) }, p95: { atrium: f(a.p95), bare: f(b.p95) }, p99: { atrium: f(a.p99), bare: f(b.p99) },
});
console.log(`errors: atrium ${a.errors}, bare ${b.errors}`);

const half = Math.max(10, Math.round(a.rps / 2));
const at: Record<string, Record<string, Result>> = { atrium: {}, bare: {} };
let nestedPeak = 0;
for (const [name, c] of Object.entries(contenders)) {
  const { child } = await start(c.file, c.args);
  await closed(c.url, t.tokens.member, () => NESTED, 2);
  if (name === 'atrium') nestedPeak = (await closed(c.url, t.tokens.member, () => NESTED, DURATION)).rps;
  at[name].list = await open(c.url, t.tokens.member, () => LIST, half, DURATION);
  at[name].nested = await open(c.url, t.tokens.member, () => NESTED, Math.max(5, Math.round(nestedPeak / 2)), DURATION);
  await closed(c.url, t.tokens.member, byId, 1, 1);
  at[name].byId = await closed(c.url, t.tokens.member, byId, DURATION, 1);
  await stop(child);
}
console.log(`\nAt half of Atrium's peak (list ${half} req/s; nested ${Math.max(5, Math.round(nestedPeak / 2))} req/s, its peak ${Math.round(nestedPeak)} req/s), open loop`);
console.table({
  'list p50': { atrium: f(at.atrium.list.p50), bare: f(at.bare.list.p50) },
  'list p95': { atrium: f(at.atrium.list.p95), bare: f(at.bare.list.p95), target: '≤ 50 ms' },
  'nested p50': { atrium: f(at.atrium.nested.p50), bare: f(at.bare.nested.p50) },
  'nested p95': { atrium: f(at.atrium.nested.p95), bare: f(at.bare.nested.p95), target: '≤ 50 ms' },
  'by id p50 (one at a time)': { atrium: f(at.atrium.byId.p50), bare: f(at.bare.byId.p50), target: '≤ 10 ms' },
  'by id p95 (one at a time)': { atrium: f(at.atrium.byId.p95), bare: f(at.bare.byId.p95) },
});
console.log(`errors: atrium ${Object.values(at.atrium).reduce((n, r) => n + r.errors, 0)}, bare ${Object.values(at.bare).reduce((n, r) => n + r.errors, 0)}`);

// ---- PostGraphile v5, when installed beside (BENCH_POSTGRAPHILE_DIR) ---------------------------
const pgDir = process.env.BENCH_POSTGRAPHILE_DIR;
if (pgDir && existsSync(path.join(pgDir, 'node_modules', 'postgraphile'))) {
  const script = path.join(pgDir, 'postgraphile-server.mjs');
  copyFileSync(path.join(import.meta.dirname, 'servers', 'postgraphile-server.mjs'), script);
  const { schema: wsSchema, role: wsRole } = dataSchemaOf(t.workspaceId);
  const pgUrl = `http://127.0.0.1:${PORT}/data/graphql`;
  const PG_LIST = JSON.stringify({ query: '{ allTasks(first: 20, orderBy: PRIMARY_KEY_ASC) { nodes { rowId title status points createdAt } } }' });
  const PG_NESTED = JSON.stringify({ query: '{ allProjects(first: 10, orderBy: PRIMARY_KEY_ASC) { nodes { name tasksByProjectId(first: 5, orderBy: PRIMARY_KEY_ASC) { nodes { title commentsByTaskId(first: 3, orderBy: PRIMARY_KEY_ASC) { nodes { body } } } } } } }' });
  const pgById = (i: number) => JSON.stringify({ query: 'query($id: UUID!) { taskByRowId(rowId: $id) { rowId title status points createdAt } }', variables: { id: anyTask[i % anyTask.length] } });
  const rounds: Result[] = [];
  let built: { buildMs: number; heapMb: number } | null = null;
  for (let round = 0; round < ROUNDS; round++) {
    const { child, message } = await start(script, [String(PORT), appUrl, t.workspaceId, wsSchema, wsRole], { execArgv: ['--expose-gc'] });
    built ??= message as { buildMs: number; heapMb: number };
    await closed(pgUrl, t.tokens.member, () => PG_LIST, 2);
    rounds.push(await closed(pgUrl, t.tokens.member, () => PG_LIST, DURATION));
    await stop(child);
  }
  const p = summary(rounds);
  const { child } = await start(script, [String(PORT), appUrl, t.workspaceId, wsSchema, wsRole]);
  await closed(pgUrl, t.tokens.member, () => PG_NESTED, 2);
  const pgNestedPeak = (await closed(pgUrl, t.tokens.member, () => PG_NESTED, DURATION)).rps;
  const pgList = await open(pgUrl, t.tokens.member, () => PG_LIST, half, DURATION);
  const pgNested = await open(pgUrl, t.tokens.member, () => PG_NESTED, Math.max(5, Math.round(nestedPeak / 2)), DURATION);
  await closed(pgUrl, t.tokens.member, pgById, 1, 1);
  const pgOne = await closed(pgUrl, t.tokens.member, pgById, DURATION, 1);
  await stop(child);
  console.log(`\nPostGraphile ${JSON.parse((await import('node:fs')).readFileSync(path.join(pgDir, 'node_modules', 'postgraphile', 'package.json'), 'utf8')).version} (filter plugin, unqualified identifiers, the same role and search_path per request), same run`);
  console.table({
    'list peak (req/s)': { atrium: Math.round(a.rps), postgraphile: Math.round(p.rps), bare: Math.round(b.rps), 'atrium / postgraphile': (a.rps / p.rps).toFixed(2) },
    'list p95 at half of Atrium\'s peak': { atrium: f(at.atrium.list.p95), postgraphile: f(pgList.p95), bare: f(at.bare.list.p95) },
    'nested peak (req/s)': { atrium: Math.round(nestedPeak), postgraphile: Math.round(pgNestedPeak) },
    'nested p95 at half of Atrium\'s peak': { atrium: f(at.atrium.nested.p95), postgraphile: f(pgNested.p95), bare: f(at.bare.nested.p95) },
    'by id p50 (one at a time)': { atrium: f(at.atrium.byId.p50), postgraphile: f(pgOne.p50), bare: f(at.bare.byId.p50) },
  });
  console.log(`PostGraphile schema build for this shape: ${f(built!.buildMs)}, heap ${built!.heapMb.toFixed(1)} MB; errors ${p.errors + pgList.errors + pgNested.errors + pgOne.errors}`);
} else {
  console.log('\n(PostGraphile not measured: set BENCH_POSTGRAPHILE_DIR to a folder where `npm i postgraphile@5 postgraphile-plugin-connection-filter@4 pg` ran)');
}

// ---- the shape cache, in this process ---------------------------------------------------------
const TEN = Array.from({ length: 10 }, (_, i) => `create table t${i} (id uuid primary key default gen_random_uuid(), name text not null, amount numeric, done boolean default false, meta jsonb, created_at timestamptz default now()${i > 0 ? `, parent_id uuid references t${i - 1} (id)` : ''})`).join(';\n');
console.log(`\nshape cache: ${SHAPE_WORKSPACES.toLocaleString('en-US')} workspaces with the same 10 tables`);
const seedStarted = performance.now();
const ids: string[] = [];
for (let from = 0; from < SHAPE_WORKSPACES; from += 100) {
  const batch = await owner.query<{ id: string }>(`insert into public.workspaces (slug, name) select 'shape-' || i, 'Shape ' || i from generate_series($1::int, $2::int) i returning id`, [from + 1, Math.min(SHAPE_WORKSPACES, from + 100)]);
  for (const { id } of batch.rows) {
    await owner.query('begin');
    await owner.query("select set_config('app.workspace_id', $1, true)", [id]);
    await owner.query('select * from public.atrium_provision_data_schema()');
    await owner.query(`set local search_path = "${dataSchemaOf(id).schema}"; set local role "${dataSchemaOf(id).role}"; ${TEN}`);
    await owner.query('commit');
    ids.push(id);
  }
  process.stdout.write(`\rmade ${ids.length.toLocaleString('en-US')} workspaces (${((performance.now() - seedStarted) / 1000).toFixed(0)} s)`);
}
console.log('');
const engine = seedPlatform.data.engine;
const gc = (globalThis as { gc?: () => void }).gc;
const heap = () => { gc?.(); gc?.(); return process.memoryUsage().heapUsed; };
const ask = (id: string) => engine.run({ workspaceId: id, userId: null, roles: ['member'], canWrite: false }, { query: '{ t0List(first: 5) { nodes { id name } } t9List(first: 1) { totalCount } }' });
const firstStarted = performance.now();
const first = await ask(ids[0]);
const firstMs = performance.now() - firstStarted;
if (first.body.errors) throw new Error(JSON.stringify(first.body.errors));
// Cold: workspaces whose schemas were made outside migrations record no shape hash, so each first
// request reads the catalog (here with 20,000 tables in it) and hashes it.
const COLD = Math.min(200, ids.length - 1);
const coldStarted = performance.now();
for (const id of ids.slice(1, 1 + COLD)) {
  const r = await ask(id);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
}
const coldMs = (performance.now() - coldStarted) / COLD;
// Warm: as migrations leave them, each row records its shape's hash: a process holding that shape
// serves a workspace it has never seen without reading the catalog.
const { modelOf, readCatalog } = await import('../src/modules/data-api/model.ts');
await owner.query('begin');
await owner.query(`set local search_path = "${dataSchemaOf(ids[0]).schema}"`);
const shapeHash = modelOf(await readCatalog(owner)).hash;
await owner.query('commit');
await owner.query('update public.data_schemas set shape_hash = $1, shape_version = version where workspace_id = any($2::uuid[])', [shapeHash, ids]);
const before = heap();
const sameStarted = performance.now();
for (const id of ids.slice(1 + COLD)) {
  const r = await ask(id);
  if (r.body.errors) throw new Error(JSON.stringify(r.body.errors));
}
const sameMs = (performance.now() - sameStarted) / Math.max(1, ids.length - 1 - COLD);
const after = heap();
const stats = engine.stats();
console.log(`first request of a new shape (introspect + build the schema + run): ${f(firstMs)} (target ≤ 1 s)`);
console.log(`first request of a same-shape workspace, cold (catalog read with ${(ids.length * 10).toLocaleString('en-US')} tables in the database, hash, run): ${f(coldMs)} on average over ${COLD}`);
console.log(`first request of a same-shape workspace, its shape hash recorded (as migrations leave it): ${f(sameMs)} on average over ${ids.length - 1 - COLD}`);
console.log(`heap: ${((after - before) / 1024 / 1024).toFixed(1)} MB for ${ids.length - 1 - COLD} more workspaces = ${((after - before) / 1024 / Math.max(1, ids.length - 1 - COLD)).toFixed(1)} kB each (target ≤ 1 MB)${gc ? '' : ' (run with --expose-gc for exact figures)'}; shapes cached ${stats.shapes}, workspaces ${stats.workspaces}`);

// A DDL in one workspace while another is queried.
const quiet: number[] = [];
for (let i = 0; i < 200; i++) { const s = performance.now(); await ask(ids[1]); quiet.push(performance.now() - s); }
const during: number[] = [];
let ddl = 0;
const ddlLoop = (async () => {
  for (let i = 0; i < 20; i++) {
    await owner.query('begin');
    await owner.query(`set local search_path = "${dataSchemaOf(ids[2]).schema}"; alter table t0 add column extra_${i} text; lock table t0 in access exclusive mode`);
    await new Promise((r) => setTimeout(r, 50));
    await owner.query('commit');
    ddl++;
  }
})();
while (ddl < 20) { const s = performance.now(); await ask(ids[1]); during.push(performance.now() - s); }
await ddlLoop;
console.log(`a query in workspace 1 while workspace 2 runs 20 DDL transactions (each holding its lock 50 ms): p50 ${f(pct(during, 0.5))}, p99 ${f(pct(during, 0.99))}, max ${f(Math.max(...during))}; without: p50 ${f(pct(quiet, 0.5))}, p99 ${f(pct(quiet, 0.99))}`);

await owner.end();
await seedPlatform.close();
await db.close();
await database.stop();
