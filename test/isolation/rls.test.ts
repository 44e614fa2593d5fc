// Row-level security, checked in SQL as the request role (atrium_app).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase, testConfig } from '../helpers/platform.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { connectDatabase } from '../../src/main.ts';
import type { Database } from '../../src/kernel/db/database.ts';

describe('row-level security as the request role', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let db: Database;
  let a: string;
  let b: string;

  before(async () => {
    database = await createTestDatabase();
    db = await connectDatabase(testConfig(database.env), createLogger('silent'), database.url);
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    const ws = await owner.query<{ id: string }>(`insert into workspaces (slug, name) values ('rls-a', 'A'), ('rls-b', 'B') returning id`);
    [a, b] = ws.rows.map((r) => r.id);
    await owner.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'theme', '"a"'), ($2, 'theme', '"b"')`, [a, b]);
    await owner.end();
  });

  after(async () => {
    await db.close();
    await database.drop();
  });

  test('the request role is not superuser, has no BYPASSRLS and owns no table', async () => {
    const { rows } = await db.app.query(`select rolsuper, rolbypassrls from pg_roles where rolname = current_user`);
    assert.deepEqual(rows[0], { rolsuper: false, rolbypassrls: false });
    const owned = await db.app.query(`select count(*)::int as n from pg_tables where tableowner = current_user`);
    assert.equal(owned.rows[0].n, 0);
  });

  test('every table with a workspace_id has RLS enabled and forced', async () => {
    const { rows } = await db.owner.query<{ relname: string; relrowsecurity: boolean; relforcerowsecurity: boolean }>(`
      select c.relname, c.relrowsecurity, c.relforcerowsecurity from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'public' and c.relkind = 'r'
        and (exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped)
             or c.relname = 'workspaces')
        and c.relname not in ('sessions', 'mfa_challenges')`);
    assert.ok(rows.length >= 6);
    for (const r of rows) assert.ok(r.relrowsecurity && r.relforcerowsecurity, `${r.relname} must enable and force RLS`);
  });

  test('no workspace bound: no rows', async () => {
    const { rows } = await db.withIdentity((tx) => tx.query('select * from workspace_settings'));
    assert.equal(rows.length, 0);
    const ws = await db.withIdentity((tx) => tx.query('select * from workspaces'));
    assert.equal(ws.rows.length, 0);
  });

  test('bound to A: only A rows', async () => {
    const { rows } = await db.withWorkspace(a, (tx) => tx.query<{ workspace_id: string; value: string }>('select workspace_id, value from workspace_settings'));
    assert.deepEqual(rows, [{ workspace_id: a, value: 'a' }]);
    const ws = await db.withWorkspace(a, (tx) => tx.query<{ id: string }>('select id from workspaces'));
    assert.deepEqual(ws.rows.map((r) => r.id), [a]);
  });

  test('bound to A: inserting or updating into B is refused', async () => {
    await assert.rejects(
      db.withWorkspace(a, (tx) => tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'x', '1')`, [b])),
      /row-level security/,
    );
    const updated = await db.withWorkspace(a, (tx) => tx.query(`update workspace_settings set value = '"hacked"' where workspace_id = $1`, [b]));
    assert.equal(updated.rowCount, 0);
    await assert.rejects(
      db.withWorkspace(a, (tx) => tx.query(`update workspace_settings set workspace_id = $1 where workspace_id = $2`, [b, a])),
      /row-level security/,
    );
  });

  test('a pooled connection never carries the binding into the next transaction', async () => {
    // One connection: bind, commit, then reuse it without binding.
    const client = await db.app.connect();
    try {
      await client.query('begin');
      await client.query(`select set_config('app.workspace_id', $1, true)`, [a]);
      assert.equal((await client.query('select count(*)::int as n from workspace_settings')).rows[0].n, 1);
      await client.query('commit');
      assert.equal((await client.query('select count(*)::int as n from workspace_settings')).rows[0].n, 0);
      const setting = await client.query(`select current_setting('app.workspace_id', true) as v`);
      assert.ok(setting.rows[0].v === '' || setting.rows[0].v === null);
    } finally {
      client.release();
    }
    // And through the helper, with a pool of one connection reused across transactions.
    for (let i = 0; i < 5; i++) {
      await db.withWorkspace(a, (tx) => tx.query('select 1'));
      const { rows } = await db.withIdentity((tx) => tx.query('select * from workspace_settings'));
      assert.equal(rows.length, 0);
    }
  });

  test('the request role cannot switch to the platform role nor alter the schema', async () => {
    await assert.rejects(db.withIdentity((tx) => tx.query('set local role atrium_platform')), /permission denied/);
    await assert.rejects(db.withIdentity((tx) => tx.query('alter table workspaces disable row level security')), /must be owner/);
    await assert.rejects(db.withIdentity((tx) => tx.query('drop table workspace_settings')), /must be owner/);
  });

  test('readInWorkspace: one round trip, still bound to one workspace, on both paths', async () => {
    const sql = 'select workspace_id, value from workspace_settings where $1::uuid is not null and key = $2';
    // A uuid and a non-uuid parameter: the second forces the parameterised path.
    const inline = await db.readInWorkspace<{ workspace_id: string }>(a, { name: 'test_settings_uuid', text: 'select workspace_id from workspace_settings where $1::uuid is not null', values: [a] });
    assert.deepEqual(inline.map((r) => r.workspace_id), [a]);
    for (let i = 0; i < 3; i++) {
      // Reuses the statement prepared on the connection, bound to the other workspace each time.
      const again = await db.readInWorkspace<{ workspace_id: string }>(i % 2 ? a : b, { name: 'test_settings_uuid', text: 'select workspace_id from workspace_settings where $1::uuid is not null', values: [a] });
      assert.deepEqual(again.map((r) => r.workspace_id), [i % 2 ? a : b]);
    }
    const parameterised = await db.readInWorkspace<{ workspace_id: string; value: string }>(b, { name: 'test_settings_key', text: sql, values: [a, "theme' or 'x'='x"] });
    assert.deepEqual(parameterised, []);
    const byKey = await db.readInWorkspace<{ workspace_id: string; value: string }>(b, { name: 'test_settings_key', text: sql, values: [a, 'theme'] });
    assert.deepEqual(byKey, [{ workspace_id: b, value: 'b' }]);
    // No binding survives on the pool afterwards.
    const { rows } = await db.withIdentity((tx) => tx.query('select * from workspace_settings'));
    assert.equal(rows.length, 0);
  });

  test('readInWorkspace: a failing statement raises and leaves the connection clean', async () => {
    await assert.rejects(db.readInWorkspace(a, { name: 'test_broken', text: 'select * from no_such_table where $1::uuid is not null', values: [a] }), /no_such_table/);
    // Prepared fine, failing at execution: the statement must not be left half-known.
    for (let i = 0; i < 3; i++) {
      await assert.rejects(db.readInWorkspace(a, { name: 'test_fails_late', text: 'select 1 / (count(*) - count(*)) from workspaces where id = $1', values: [a] }), /division by zero/);
    }
    await assert.rejects(db.readInWorkspace(a, { text: 'select 1/0 where $1::text is not null', values: ['x'] }), /division by zero/);
    for (let i = 0; i < 12; i++) {
      const { rows } = await db.withIdentity((tx) => tx.query(`select current_setting('app.workspace_id', true) as v, now() = statement_timestamp() as fresh`));
      assert.ok(rows[0].v === '' || rows[0].v === null);
    }
  });

  test('withWorkspace: a use-case that fails after writing leaves nothing (sync throw or rejection)', async () => {
    await assert.rejects(db.withWorkspace(a, async (tx) => {
      await tx.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'partial', '1')`, [a]);
      throw new Error('use-case failed');
    }), /use-case failed/);
    await assert.rejects(db.withWorkspace(a, () => {
      throw new Error('thrown synchronously');
    }), /thrown synchronously/);
    const { rows } = await db.withWorkspace(a, (tx) => tx.query(`select key from workspace_settings where key = 'partial'`));
    assert.equal(rows.length, 0);
  });

  test('the platform path sees every workspace', async () => {
    const { rows } = await db.withPlatform((tx) => tx.query('select count(*)::int as n from workspaces'));
    assert.equal(rows[0].n, 2);
  });
});
