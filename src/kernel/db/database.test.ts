// Transactions' wire behaviour: statements queued in one tick leave in one write (one system
// call), whether they open the transaction or come later (a Promise.all of writes with their
// audit event); each still gets its own result and error.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import pg from 'pg';
import { createTestDatabase, testConfig } from '../../../test/helpers/platform.ts';
import { createLogger } from '../logging.ts';
import { connectDatabase } from '../../main.ts';
import type { Database } from './database.ts';

describe('database: transactions on the wire', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let ws: string;
  /** Writes reaching the socket (a corked batch is one _writev). */
  let writes = 0;

  before(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(testConfig(), createLogger('silent'), database.url);
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    ws = (await owner.query<{ id: string }>(`insert into workspaces (slug, name) values ('wire', 'Wire') returning id`)).rows[0].id;
    await owner.end();
    const spied = new WeakSet<Socket>();
    db.app.on('acquire', (client) => {
      const stream = (client as unknown as { connection: { stream: Socket & { _write: (...a: unknown[]) => void; _writev: (...a: unknown[]) => void } } }).connection.stream;
      if (spied.has(stream)) return;
      spied.add(stream);
      for (const method of ['_write', '_writev'] as const) {
        const original = stream[method].bind(stream);
        stream[method] = (...args: unknown[]) => {
          writes++;
          return original(...args);
        };
      }
    });
  });

  after(async () => {
    await db.close();
    await database.drop();
  });

  test('opening statements and the first query: one write; three statements sent together later: one write', async () => {
    const counts: number[] = [];
    await db.withWorkspace(ws, async (tx) => {
      writes = 0;
      const first = await tx.query<{ n: number }>('select 1 as n');
      counts.push(writes);
      assert.equal(first.rows[0].n, 1);
      writes = 0;
      const results = await Promise.all([
        tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'a', '1')`, [ws]),
        tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'b', '2')`, [ws]),
        tx.query<{ n: number }>('select count(*)::int as n from workspace_settings where workspace_id = $1', [ws]),
      ]);
      counts.push(writes);
      assert.deepEqual(results.map((r) => r.rowCount), [1, 1, 1]);
    });
    assert.deepEqual(counts.slice(1), [1]);
    assert.ok(counts[0] <= 1, `begin, binding and the first query left in ${counts[0]} writes`);
    const { rows } = await db.withWorkspace(ws, (tx) => tx.query<{ key: string }>('select key from workspace_settings where workspace_id = $1 order by key', [ws]));
    assert.deepEqual(rows.map((r) => r.key), ['a', 'b']);
  });

  test('one failing statement of a batch fails the transaction and writes nothing', async () => {
    await assert.rejects(db.withWorkspace(ws, (tx) => Promise.all([
      tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'c', '3')`, [ws]),
      tx.query('select 1 / 0'),
    ])), /division by zero/);
    const { rows } = await db.withWorkspace(ws, (tx) => tx.query(`select key from workspace_settings where workspace_id = $1 and key = 'c'`, [ws]));
    assert.equal(rows.length, 0);
  });
});
