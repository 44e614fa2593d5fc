// Atrium behind PgBouncer in transaction pooling mode (issue 16), with real `atrium start`
// processes: 2 API processes and a worker, every pool through a PgBouncer of this test's own
// (4 server connections per user: the app's pools of 10 are multiplexed), LISTEN and migrations
// on the direct URL. Then PgBouncer is killed (-9) under load: clients get 503 + Retry-After, not
// hangs; the service recovers by itself once it is back; no acknowledged write, audit event or
// job is lost, and no execution completes twice.
// The rest of the suite's isolation and job tests run through PgBouncer too: scripts/test.ts.
import { after, before, describe, test } from 'node:test';
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../helpers/platform.ts';
import type { TestDatabase } from '../helpers/platform.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { deriveAppPassword } from '../../src/kernel/db/roles.ts';
import { waitUntil } from '../helpers/wait.ts';
import { loadThroughOutage } from '../helpers/outage.ts';
import { startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';
import { PGBOUNCER_BINARY, startPgBouncer } from '../helpers/pgbouncer.ts';
import type { PgBouncer } from '../helpers/pgbouncer.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');
const skip = !PGBOUNCER_BINARY && !process.env.CI ? 'pgbouncer is not installed (apt-get install -y pgbouncer; CI requires it)' : false;

describe('behind PgBouncer (transaction pooling)', { skip }, () => {
  let bouncer: PgBouncer;
  let database: TestDatabase;
  let owner: pg.Client;
  let env: Record<string, string>;
  const procs: CliProcess[] = [];
  let apis: CliProcess[];
  let token: string;

  const call = async (p: CliProcess, method: string, url: string, body?: unknown, bearer = token) => {
    const res = await fetch(`${p.url}/api/v1${url}`, {
      method, headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: () => JSON.parse(text) as Record<string, unknown>, text };
  };
  /** PgBouncer's admin console: SHOW … as rows. */
  const show = async (what: string) => {
    const admin = new pg.Client({ connectionString: bouncer.through(database.directUrl).replace(/\/[^/]+$/, '/pgbouncer') });
    await admin.connect();
    try {
      return (await admin.query({ text: `show ${what}`, queryMode: 'simple' } as pg.QueryConfig)).rows as Record<string, unknown>[];
    } finally {
      await admin.end();
    }
  };
  const dbName = () => new URL(database.directUrl).pathname.slice(1);

  before(async () => {
    database = await createTestDatabase();
    const pgPort = Number(new URL(database.directUrl).port);
    bouncer = await startPgBouncer({ postgresPort: pgPort, port: 29_000 + Math.floor(Math.random() * 900), users: { postgres: 'atrium-embedded', atrium_app: deriveAppPassword(TEST_SECRET) }, poolSize: 4 });
    env = {
      PATH: process.env.PATH ?? '', ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
      DATABASE_URL: bouncer.through(database.directUrl), DATABASE_DIRECT_URL: database.directUrl, ATRIUM_DATABASE_POOLER: 'transaction',
      ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-pgbouncer-')), ATRIUM_LOG_LEVEL: 'error', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
    };
    apis = [await startCliProcess('api', env), await startCliProcess('api', env)];
    procs.push(...apis, await startCliProcess('worker', env));
    owner = new pg.Client({ connectionString: database.directUrl });
    owner.on('error', () => undefined);
    await owner.connect();
    const signup = await fetch(`${apis[0].url}/api/v1/onboard/signup`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'pooled@example.com', password: 'a long enough password', name: 'Pooled', companyName: 'Pooled Co' }),
    });
    assert.equal(signup.status, 201, await signup.clone().text());
    token = ((await signup.json()) as { accessToken: string }).accessToken;
  });

  after(async () => {
    await Promise.allSettled(procs.map(stopCliProcess));
    await owner?.end().catch(() => undefined);
    await bouncer?.stop();
    await database?.drop();
  });

  test('many concurrent requests share 4 server connections per user; a named statement would fail here (prepared on one server connection, executed on another)', async () => {
    const results = await Promise.all(Array.from({ length: 80 }, (_, i) => (i % 4 === 0
      ? call(apis[i % 2], 'PUT', `/secrets/POOLED_${i}`, { value: `v-${i}` })
      : call(apis[i % 2], 'GET', i % 4 === 1 ? '/secrets' : i % 4 === 2 ? '/auth/me' : '/audit/events?limit=5'))));
    const statuses = results.map((r) => r.status);
    assert.ok(statuses.every((s) => s === 200 || s === 201), `every request answered: ${[...new Set(statuses)].join(', ')}; ${results.find((r) => r.status >= 300)?.text ?? ''}`);

    const clients = (await show('clients')).filter((c) => c.database === dbName());
    const servers = (await show('servers')).filter((s) => s.database === dbName());
    const users = new Set(clients.map((c) => c.user));
    assert.ok(users.has('atrium_app') && users.has('postgres'), `the request and owner pools both go through PgBouncer (users ${[...users].join(', ')})`);
    for (const user of ['atrium_app', 'postgres']) {
      const n = servers.filter((s) => s.user === user).length;
      assert.ok(n <= 4, `${user}: ${n} server connections (pool size 4)`);
    }
    assert.ok(clients.filter((c) => c.user === 'atrium_app').length > 4, 'more client connections than server connections: transactions are multiplexed');
  });

  test('LISTEN on the direct URL: a revoked API key is refused by the other API process within a second', async () => {
    const created = await call(apis[0], 'POST', '/api-keys', { name: 'pooled', role: 'member' });
    assert.equal(created.status, 201, created.text);
    const { id, key } = created.json() as { id: string; key: string };
    assert.equal((await call(apis[1], 'GET', '/auth/me', undefined, key)).status, 200);
    assert.equal((await call(apis[0], 'DELETE', `/api-keys/${id}`)).status, 204);
    const revokedAt = Date.now();
    await waitUntil('the other process refuses the key', async () => (await call(apis[1], 'GET', '/auth/me', undefined, key)).status === 401, 1000);
    assert.ok(Date.now() - revokedAt <= 1000);
    const listeners = await owner.query<{ application_name: string }>(`select application_name from pg_stat_activity where datname = $1 and query ~* '^listen '`, [dbName()]);
    assert.ok(listeners.rows.some((r) => r.application_name === 'atrium-invalidate-listen'), 'the bus listens on a direct connection');
    assert.ok(listeners.rows.some((r) => r.application_name === 'atrium-jobs-listen'), 'the job engine listens on a direct connection');
  });

  test('preflight checks that the direct URL reaches the database the pooler serves', async () => {
    const preflight = (extra: Record<string, string>) => new Promise<{ status: string; detail: string }>((resolve, reject) => {
      execFile(process.execPath, [BIN, 'preflight', '--json'], { timeout: 60_000, env: { ...env, ...extra } }, (_err, stdout) => {
        try {
          const report = JSON.parse(stdout) as { checks: { name: string; status: string; detail: string }[] };
          resolve(report.checks.find((c) => c.name === 'pooler')!);
        } catch (err) {
          reject(err as Error);
        }
      });
    });
    assert.equal((await preflight({})).status, 'ok');
    const elsewhere = await preflight({ DATABASE_DIRECT_URL: database.directUrl.replace(/\/[^/]+$/, '/postgres') });
    assert.equal(elsewhere.status, 'fail');
    assert.match(elsewhere.detail, /reaches postgres/);
  });

  test('PgBouncer killed under load: 503 + Retry-After while it is away, then the service recovers by itself; nothing lost, nothing run twice', async () => {
    const pool = new pg.Pool({ connectionString: database.directUrl, max: 2 });
    pool.on('error', () => undefined);
    try {
      const f = await loadThroughOutage({
        apiUrls: apis.map((p) => p.url), token, owner: pool, outage: () => bouncer.restart({ downMs: 2000 }), diagnostics: () => `worker: ${procs[2].output.join('').slice(-2000)}`,
      });
      console.log(`pgbouncer: ${f.acknowledged} writes and ${f.executions} executions acknowledged around a kill -9 of PgBouncer (down 2 s); ${f.refused} requests refused with 503 + Retry-After (slowest ${f.slowestMs} ms); writes acknowledged again ${f.recoveredMs} ms after it was back; 0 lost, 0 run twice`);
    } finally {
      await pool.end();
    }
  });
});
