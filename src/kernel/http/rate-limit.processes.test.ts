// Two API processes (real child processes, each with its own pools) on one database share one
// workspace's limit: together they never admit more than the limit in a window (ADR 0008).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase } from '../../../test/helpers/platform.ts';
import { startPlatformProcess } from '../../../test/helpers/platform-process.ts';
import type { PlatformProcess } from '../../../test/helpers/platform-process.ts';

const LIMIT = 20;

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let a: PlatformProcess;
let b: PlatformProcess;

before(async () => {
  database = await createTestDatabase();
  // Both processes would admit 100 per minute on their own; the workspace setting says 20.
  [a, b] = await Promise.all([
    startPlatformProcess(database.url, { ATRIUM_RATE_LIMIT_DEFAULT: '100' }),
    startPlatformProcess(database.url, { ATRIUM_RATE_LIMIT_DEFAULT: '100' }),
  ]);
});

after(async () => {
  await Promise.allSettled([a?.stop(), b?.stop()]);
  await database?.drop();
});

type Outcome = { status: number; headers: Headers };

async function call(server: PlatformProcess, token: string): Promise<Outcome> {
  const res = await fetch(`${server.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
  await res.arrayBuffer();
  return { status: res.status, headers: res.headers };
}

/** `count` requests to one process, `parallel` at a time. */
async function burst(server: PlatformProcess, token: string, count: number, parallel: number): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  let next = 0;
  await Promise.all(Array.from({ length: parallel }, async () => {
    while (next < count) {
      next++;
      outcomes.push(await call(server, token));
    }
  }));
  return outcomes;
}

const ok = (outcomes: Outcome[]) => outcomes.filter((o) => o.status === 200).length;

test('two server processes share one workspace\'s limit: never more than the limit in total', async () => {
  const signup = await fetch(`${a.url}/api/v1/onboard/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'two-processes@example.com', password: 'a long enough password', name: 'Two', companyName: 'Two Processes' }),
  });
  assert.equal(signup.status, 201);
  const { accessToken, workspace } = (await signup.json()) as { accessToken: string; workspace: { id: string } };
  const owner = new pg.Client({ connectionString: database.url });
  await owner.connect();
  try {
    await owner.query(`update workspace_settings set value = $2::jsonb where workspace_id = $1 and key = 'rate_limit.per_minute'`, [workspace.id, JSON.stringify(LIMIT)]);

    // A first: 8 requests, all admitted (A may lease a few tokens ahead of its traffic).
    const first = await burst(a, accessToken, 8, 1);
    assert.equal(ok(first), 8);
    assert.ok(first.every((o) => o.headers.get('ratelimit-limit') === String(LIMIT)));

    // Then B, far beyond the limit: it admits only what A left. Per-process counters would
    // have let B admit 20 on its own.
    const second = await burst(b, accessToken, 30, 4);
    assert.ok(ok(second) >= 1 && ok(second) <= LIMIT - 8, `B admitted ${ok(second)}: it must see what A spent`);

    // Then both at once: A spends what it leased ahead, if anything, and nobody admits more.
    const [fromA, fromB] = await Promise.all([burst(a, accessToken, 15, 4), burst(b, accessToken, 15, 4)]);
    assert.equal(ok(fromB), 0);
    const total = ok(first) + ok(second) + ok(fromA) + ok(fromB);
    // The documented bound (ADR 0008): at most the limit. Both processes were refused at the end,
    // so neither holds unspent tokens: exactly the limit.
    assert.equal(total, LIMIT, `admitted ${total} across both processes`);
    const refusals = [...second, ...fromA, ...fromB].filter((o) => o.status !== 200);
    assert.equal(refusals.length, 60 - (total - 8));
    for (const refused of refusals) {
      assert.equal(refused.status, 429);
      assert.equal(refused.headers.get('ratelimit-remaining'), '0');
      assert.ok(Number(refused.headers.get('retry-after')) >= 1);
    }
    const { rows } = await owner.query('select granted, per_minute from rate_limit_buckets where workspace_id = $1', [workspace.id]);
    assert.deepEqual(rows, [{ granted: LIMIT, per_minute: LIMIT }]);
  } finally {
    await owner.end();
  }
});
