// `atrium preflight` through the real CLI against a real database: a development install passes
// with warnings; a production configuration that is unsafe (plain http, public /metrics, no
// mail) fails naming each check; reachable mail is checked by its greeting; a table whose RLS is
// no longer forced, a migration not applied and a queue nobody consumes are caught.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startTestPlatform } from '../../test/helpers/platform.ts';
import type { TestPlatform } from '../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../test/helpers/constants.ts';
import type { PreflightReport } from '../kernel/preflight.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

describe('atrium preflight', () => {
  let platform: TestPlatform;
  let owner: pg.Client;
  let smtp: Server;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-preflight-'));
  const masterKey = randomBytes(32).toString('base64');

  const preflight = (env: Record<string, string>) => new Promise<{ code: number; report: PreflightReport; stderr: string }>((resolve) => {
    execFile(process.execPath, [BIN, 'preflight', '--json'], {
      timeout: 60_000, env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: dataDir, ...env },
    }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, report: JSON.parse(stdout || '{}') as PreflightReport, stderr }));
  });
  const find = (report: PreflightReport, name: string) => report.checks.find((c) => c.name === name)!;
  const failing = (report: PreflightReport) => report.checks.filter((c) => c.status === 'fail').map((c) => c.name).sort();

  before(async () => {
    platform = await startTestPlatform();
    owner = new pg.Client({ connectionString: platform.ownerUrl });
    await owner.connect();
    // An SMTP server that greets, as Postfix would.
    smtp = createServer((socket) => { socket.write('220 mail.example.test ESMTP\r\n'); socket.on('data', () => socket.end('221 bye\r\n')); });
    await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  });
  after(async () => {
    smtp.close();
    await owner.end();
    await platform.stop();
  });

  test('a development install passes, with what production would refuse as warnings', async () => {
    const { code, report, stderr } = await preflight({ ATRIUM_METRICS_ADDRESS: '127.0.0.1:9464' });
    assert.equal(code, 0, stderr);
    assert.equal(report.isOk, true);
    for (const name of ['version', 'extensions', 'migrations', 'roles', 'row-level security', 'workers', 'skew', 'metrics']) assert.equal(find(report, name).status, 'ok', JSON.stringify(find(report, name)));
    assert.match(find(report, 'row-level security').detail, /enabled and forced on all \d+ tenant tables/);
    for (const name of ['mode', 'master key', 'mail']) assert.equal(find(report, name).status, 'warn', name);
  });

  test('an unsafe production configuration fails, naming each check; a mail server that greets passes', async () => {
    const closedPort = await new Promise<number>((resolve) => { const s = createServer().listen(0, '127.0.0.1', () => { const { port } = s.address() as AddressInfo; s.close(() => resolve(port)); }); });
    const unsafe = await preflight({
      NODE_ENV: 'production', ATRIUM_MASTER_KEY: masterKey, ATRIUM_PUBLIC_URL: 'http://atrium.example.com', ATRIUM_METRICS_ADDRESS: '0.0.0.0:9464', SMTP_URL: `smtp://127.0.0.1:${closedPort}`,
    });
    assert.equal(unsafe.code, 1);
    assert.deepEqual(failing(unsafe.report), ['mail', 'tls']);
    assert.equal(find(unsafe.report, 'metrics').status, 'warn', 'a pod\'s address is scraped on purpose: a warning, not a failure');
    assert.match(find(unsafe.report, 'tls').detail, /plain http/);
    assert.match(find(unsafe.report, 'mail').detail, /unreachable/);

    const { port } = smtp.address() as AddressInfo;
    const safe = await preflight({
      NODE_ENV: 'production', ATRIUM_MASTER_KEY: masterKey, ATRIUM_PUBLIC_URL: 'https://atrium.example.com', ATRIUM_TRUST_PROXY: '1', ATRIUM_METRICS_ADDRESS: '127.0.0.1:9464', SMTP_URL: `smtp://127.0.0.1:${port}`,
    });
    assert.equal(safe.code, 0, JSON.stringify(safe.report.checks.filter((c) => c.status !== 'ok')));
    assert.match(find(safe.report, 'mail').detail, /220 mail\.example\.test ESMTP/);
  });

  test('RLS no longer forced on a table, a migration not applied, a queue nobody consumes: each fails', async () => {
    await owner.query('alter table secrets no force row level security');
    try {
      const { code, report } = await preflight({});
      assert.equal(code, 1);
      assert.deepEqual(failing(report), ['row-level security']);
      assert.match(find(report, 'row-level security').detail, /secrets \(enabled, not forced\)/);
    } finally {
      await owner.query('alter table secrets force row level security');
    }

    const { rows: [last] } = await owner.query<{ version: number; name: string; checksum: string; applied_at: Date }>('select * from schema_migrations order by version desc limit 1');
    await owner.query('delete from schema_migrations where version = $1', [last.version]);
    try {
      const { code, report } = await preflight({});
      assert.equal(code, 1);
      assert.deepEqual(failing(report), ['migrations']);
      assert.match(find(report, 'migrations').detail, new RegExp(`1 pending: ${last.name}`));
    } finally {
      await owner.query('insert into schema_migrations (version, name, checksum, applied_at) values ($1, $2, $3, $4)', [last.version, last.name, last.checksum, last.applied_at]);
    }

    // No worker runs in this test: a job due ten minutes ago waits.
    await platform.db.withPlatform((tx) => platform.jobs.enqueue(tx, 'audit.retention', {}, { runAt: new Date(Date.now() - 10 * 60_000) }));
    const { code, report } = await preflight({});
    assert.equal(code, 1);
    assert.deepEqual(failing(report), ['workers']);
    assert.match(find(report, 'workers').detail, /are worker processes running/);
  });
});
