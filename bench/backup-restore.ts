// `npm run bench:backup`: `atrium backup` and `atrium restore` (the CLI, as an operator runs it) of a
// database with 100 workspaces and 1,000,000 audit events (issue 16: restore ≤ 5 minutes here).
// The peer, same run: the same tables copied with nothing else — COPY TO a plain file per table,
// then COPY FROM into a fresh migrated database, in one transaction (no compression, no
// encryption, no checks): what any logical backup of these rows must at least cost.
// BENCH_EVENTS (default 1,000,000), BENCH_WORKSPACES (default 100).
import { execFile } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import pg from 'pg';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { migrate } from '../src/kernel/db/migrate.ts';
import { deriveAppPassword } from '../src/kernel/db/roles.ts';
import { BENCH_SECRET, freshDatabase, startBenchDatabase } from './lib/database.ts';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const WORKSPACES = Number(process.env.BENCH_WORKSPACES ?? 100);
process.env.ATRIUM_BENCH_PG_PORT ??= '54374';
const run = promisify(execFile);
const root = path.resolve(import.meta.dirname, '..');
const dir = mkdtempSync(path.join(tmpdir(), 'atrium-bench-backup-'));

const database = await startBenchDatabase();
const adminUrl = database.ownerUrl.replace(/\/atrium_bench$/, '/postgres');
const owner = new pg.Client({ connectionString: database.ownerUrl });
await owner.connect();
let t0 = performance.now();
await owner.query(`insert into workspaces (slug, name) select 'bench-' || i, 'Bench ' || i from generate_series(1, $1) i`, [WORKSPACES]);
await owner.query(`
  insert into audit_events (workspace_id, occurred_at, actor_type, action, target_type, target_id, diff, ip, user_agent, request_id)
  select w.id, now() - (i || ' seconds')::interval, 'user', 'workflow.executed', 'workflow', 'wf-' || (i % 50),
         jsonb_build_object('after', jsonb_build_object('status', 'completed', 'n', i)), '203.0.113.' || (i % 250), 'bench/1.0', 'req-' || i
  from generate_series(1, $1) i join lateral (select id from workspaces order by id offset (i % $2) limit 1) w on true`, [EVENTS, WORKSPACES]);
await owner.query('analyze');
console.log(`seeded ${WORKSPACES} workspaces and ${EVENTS.toLocaleString('en-US')} audit events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);


const env = { ...process.env, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: path.join(root, '.atrium', 'bench-data') };
const file = path.join(dir, 'atrium.bk');
t0 = performance.now();
await run(process.execPath, [path.join(root, 'bin/atrium.mjs'), 'backup', '--out', file, '--json'], { env: { ...env, DATABASE_URL: database.ownerUrl }, maxBuffer: 64 * 1024 * 1024 });
const backupMs = performance.now() - t0;
const restoreUrl = await freshDatabase(adminUrl, 'atrium_bench_restore');
t0 = performance.now();
await run(process.execPath, [path.join(root, 'bin/atrium.mjs'), 'restore', '--in', file, '--json'], { env: { ...env, DATABASE_URL: restoreUrl }, maxBuffer: 64 * 1024 * 1024 });
const restoreMs = performance.now() - t0;
const restored = new pg.Client({ connectionString: restoreUrl });
await restored.connect();
const count = Number((await restored.query('select count(*) from audit_events')).rows[0].count);
await restored.end();
if (count !== EVENTS) throw new Error(`restored ${count} audit events, expected ${EVENTS}`);

// The peer: plain COPY of the same tables, out to files and back into a fresh migrated database.
const { rows: tables } = await owner.query<{ name: string }>(`select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where n.nspname = 'public' and c.relkind = 'r' and c.relname not in ('schema_migrations', 'data_schemas', 'data_migrations')`);
t0 = performance.now();
for (const t of tables) await pipeline(owner.query(copyTo(`copy "${t.name}" to stdout`)), createWriteStream(path.join(dir, `${t.name}.copy`)));
const peerOutMs = performance.now() - t0;
const peerUrl = await freshDatabase(adminUrl, 'atrium_bench_peer');
const peerPool = new pg.Pool({ connectionString: peerUrl });
peerPool.on('error', () => {});
t0 = performance.now();
await migrate(peerPool, { appPassword: deriveAppPassword(BENCH_SECRET) });
const peer = await peerPool.connect();
await peer.query('begin');
await peer.query('set session_replication_role = replica'); // superuser here: no triggers, no foreign key checks
for (const t of tables) {
  await peer.query(`delete from "${t.name}"`);
  await pipeline(createReadStream(path.join(dir, `${t.name}.copy`)), peer.query(copyFrom(`copy "${t.name}" from stdin`)));
}
await peer.query('commit');
const peerInMs = performance.now() - t0;
peer.release();
await peerPool.end();

const mb = statSync(file).size / 1e6;
const plainMb = tables.reduce((n, t) => n + statSync(path.join(dir, `${t.name}.copy`)).size, 0) / 1e6;
console.log(`\n${WORKSPACES} workspaces, ${EVENTS.toLocaleString('en-US')} audit events`);
console.table({
  'atrium backup': { time: `${(backupMs / 1000).toFixed(1)} s`, size: `${mb.toFixed(1)} MB (gzip + AES-GCM)` },
  'peer COPY out': { time: `${(peerOutMs / 1000).toFixed(1)} s`, size: `${plainMb.toFixed(1)} MB (plain)` },
  'atrium restore': { time: `${(restoreMs / 1000).toFixed(1)} s`, size: '' },
  'peer COPY in': { time: `${(peerInMs / 1000).toFixed(1)} s`, size: '' },
});
console.log(`backup ${(backupMs / peerOutMs).toFixed(2)}× the plain COPY out; restore ${(restoreMs / peerInMs).toFixed(2)}× the plain COPY in (target: restore ≤ 300 s: ${restoreMs <= 300_000 ? 'met' : 'NOT met'})`);
await owner.end();
rmSync(dir, { recursive: true, force: true });
await database.stop();
