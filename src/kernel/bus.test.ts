// The cache invalidation bus between processes (two buses on one database stand for two
// processes): a shared forget runs here at once and in the other process after NOTIFY; the sender
// does not apply its own message twice; a listener that lost its connection forgets everything
// when it is back (it may have missed messages).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, testConfig } from '../../test/helpers/platform.ts';
import { waitUntil } from '../../test/helpers/wait.ts';
import { connectDatabase } from '../main.ts';
import { createLogger } from './logging.ts';
import { createBus } from './bus.ts';
import type { Database } from './db/database.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let db: Database;

before(async () => {
  database = await createTestDatabase();
  db = await connectDatabase(testConfig(database.env), createLogger('silent'), database.url);
});
after(async () => {
  await db.close();
  await database.drop();
});

test('a shared forget clears here at once and in another process; a lost listener forgets everything when back', async () => {
  const log = createLogger('silent');
  const a = createBus({ db, log });
  const b = createBus({ db, log });
  const heardA: Array<string | undefined> = [];
  const heardB: Array<string | undefined> = [];
  const forgetA = a.shared('sessions', (key) => heardA.push(key));
  b.shared('sessions', (key) => heardB.push(key));
  assert.throws(() => b.shared('sessions', () => {}), /already shared/);
  await Promise.all([a.start(), b.start()]);
  try {
    forgetA('session-1');
    assert.deepEqual(heardA, ['session-1'], 'at once, here');
    await waitUntil('B forgets session-1', () => heardB.includes('session-1'));
    forgetA();
    await waitUntil('B forgets everything', () => heardB.length === 2);
    assert.deepEqual(heardB, ['session-1', undefined]);
    assert.deepEqual(heardA, ['session-1', undefined], 'A did not apply its own messages again');

    // B's listening connection dies (a restart, a network cut): back, it forgets everything.
    await db.owner.query(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'atrium-invalidate-listen' and datname = current_database()`);
    await waitUntil('B back and cleared', () => heardB.length >= 3, 10_000);
    assert.equal(heardB[2], undefined);
    // And listening again.
    forgetA('session-2');
    await waitUntil('B hears again', () => heardB.includes('session-2'), 10_000);
  } finally {
    await Promise.all([a.stop(), b.stop()]);
  }
});
