// `atrium start` as a user runs it: embedded PostgreSQL under a data dir, reused across
// restarts, shared with CLI commands while the server runs, stopped cleanly on SIGTERM, and
// recovered after the server was killed with -9.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_SECRET } from '../helpers/constants.ts';

const root = path.resolve(import.meta.dirname, '../..');
const bin = path.join(root, 'bin/atrium.mjs');
const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-start-'));
chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when the tests run as root
// Below the kernel's ephemeral range (32768–60999 here): a port in it may be taken, under a full
// run's load, by any outgoing connection at the moment PostgreSQL binds it.
const pgPort = String(20000 + Math.floor(Math.random() * 10000));
const env = { ...process.env, ATRIUM_DATA_DIR: dataDir, ATRIUM_EMBEDDED_PG_PORT: pgPort, ATRIUM_SECRET: TEST_SECRET, ATRIUM_LOG_LEVEL: 'warn', DATABASE_URL: '', ATRIUM_METRICS_ADDRESS: '127.0.0.1:0' };

function start(): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, 'start', '--port', '0'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const onData = (d: Buffer) => {
      output += d;
      const m = /is running at (http:\/\/localhost:\d+)/.exec(output);
      if (m) resolve({ child, url: m[1], output: () => output });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`atrium start exited with ${code}: ${output}`)));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

function cli(...args: string[]) {
  return spawnSync(process.execPath, [bin, ...args], { env, encoding: 'utf8', timeout: 60_000 });
}

describe('atrium start on the embedded PostgreSQL', () => {
  before(() => {
    if (!existsSync(path.join(root, 'console/dist/index.html'))) process.env.ATRIUM_SKIP_CONSOLE_BUILD = '1';
  });
  after(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('start, share with the CLI, stop on SIGTERM, restart with the data, recover from kill -9', async () => {
    const first = await start();
    assert.equal((await fetch(`${first.url}/readyz`)).status, 200);

    // A CLI command while the server runs uses the same PostgreSQL and leaves it running.
    const created = cli('workspace', 'create', '--name', 'Survivor', '--json');
    assert.equal(created.status, 0, created.stderr);
    assert.equal((await fetch(`${first.url}/readyz`)).status, 200);

    first.child.kill('SIGTERM');
    assert.equal(await exited(first.child), 0);
    assert.match(first.output(), /Stopped\./);
    // A clean drain is quiet: nothing at warn or above after the signal (the log level here is warn).
    const afterSignal = first.output().slice(first.output().indexOf('SIGTERM received'));
    assert.doesNotMatch(afterSignal, /"level":(40|50|60)/, afterSignal);
    assert.equal(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), false, 'PostgreSQL must be stopped with the server');

    const second = await start();
    const listed = cli('workspace', 'list', '--json');
    assert.equal(listed.status, 0, listed.stderr);
    assert.ok((JSON.parse(listed.stdout) as Array<{ slug: string }>).some((w) => w.slug === 'survivor'), 'data survives a restart');

    second.child.kill('SIGKILL');
    await exited(second.child);
    const third = await start(); // finds the orphaned postmaster, stops it, starts its own
    assert.equal((await fetch(`${third.url}/readyz`)).status, 200);
    third.child.kill('SIGINT');
    assert.equal(await exited(third.child), 0);
    assert.equal(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), false);
  });
});
