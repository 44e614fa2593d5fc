// PostgreSQL restarted under load (issue 16; figures in docs/reliability.md): an API process and a
// worker (`atrium start`) on a PostgreSQL of this test's own; clients write and start executions
// without pause while the server is stopped (fast shutdown: every connection cut) and started
// again 3 s later. Clients get 503 + Retry-After while it is away, never a hang; the processes
// recover by themselves (pools, LISTEN lines, the job engine); nothing acknowledged is lost and no
// execution completes twice.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/kernel/db/embedded.ts';
import type { EmbeddedDatabase } from '../../src/kernel/db/embedded.ts';
import { freePort } from '../helpers/ports.ts';
import { TEST_SECRET } from '../helpers/constants.ts';
import { startCliProcess, stopCliProcess } from '../helpers/cli-process.ts';
import type { CliProcess } from '../helpers/cli-process.ts';
import { loadThroughOutage } from '../helpers/outage.ts';

const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-pg-restart-'));
chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when the tests run as root
const port = await freePort(); // kept across the restart
let embedded: EmbeddedDatabase;
const procs: CliProcess[] = [];
let pool: pg.Pool;

before(async () => {
  embedded = await startEmbeddedPostgres({ dataDir, port });
  pool = new pg.Pool({ connectionString: embedded.url, max: 2 });
  pool.on('error', () => undefined);
});

after(async () => {
  await Promise.allSettled(procs.map(stopCliProcess));
  await pool?.end().catch(() => undefined);
  await embedded?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('PostgreSQL restarted under load: 503 + Retry-After while it is away, recovery without a restart, nothing lost, nothing run twice', async () => {
  const env = {
    PATH: process.env.PATH ?? '', DATABASE_URL: embedded.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_MASTER_KEY: randomBytes(32).toString('base64'),
    ATRIUM_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'atrium-pg-restart-data-')), ATRIUM_LOG_LEVEL: 'error', ATRIUM_METRICS_ADDRESS: 'off', ATRIUM_RATE_LIMIT_DEFAULT: '1000000',
  };
  const api = await startCliProcess('api', env); // migrates the empty database
  procs.push(api, await startCliProcess('worker', env));
  const signup = await fetch(`${api.url}/api/v1/onboard/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'restart@example.com', password: 'a long enough password', name: 'Restart', companyName: 'Restart Co' }),
  });
  assert.equal(signup.status, 201);
  const { accessToken } = (await signup.json()) as { accessToken: string };

  const f = await loadThroughOutage({
    apiUrls: [api.url, api.url], token: accessToken, owner: pool,
    outage: async () => {
      await embedded.stop();
      await new Promise((r) => setTimeout(r, 3000));
      embedded = await startEmbeddedPostgres({ dataDir, port });
    },
    diagnostics: () => `api: ${api.output.join('').slice(-3000)}\nworker: ${procs[1].output.join('').slice(-1500)}`,
  });
  assert.equal(api.child.exitCode, null, 'the API process rode it out');
  assert.equal(procs[1].child.exitCode, null, 'the worker rode it out');
  console.log(`postgres restart: ${f.acknowledged} writes and ${f.executions} executions acknowledged around a restart of PostgreSQL (down 3 s); ${f.refused} requests refused with 503 + Retry-After (slowest ${f.slowestMs} ms); writes acknowledged again ${f.recoveredMs} ms after it was back; 0 lost, 0 run twice`);
});
