import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, copyFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../../test/helpers/platform.ts';
import { MIGRATIONS_DIR, migrate, pendingMigrations } from './migrate.ts';

let database: Awaited<ReturnType<typeof createTestDatabase>>;
const pools: pg.Pool[] = [];

before(async () => {
  database = await createTestDatabase();
});
after(async () => {
  await Promise.all(pools.map((p) => p.end()));
  await database.drop();
});

function pool(): pg.Pool {
  const p = new pg.Pool({ connectionString: database.url, max: 2 });
  p.on('error', () => {});
  pools.push(p);
  return p;
}

test('the template is current: nothing pending', async () => {
  assert.deepEqual(await pendingMigrations(pool()), []);
});

test('two processes migrating together apply a new migration exactly once', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  // Not idempotent on purpose: a second application would fail on the existing table.
  writeFileSync(path.join(dir, '9001_lock_probe.sql'), 'create table lock_probe (id int primary key); insert into lock_probe values (1);');
  const [a, b] = await Promise.all([migrate(pool(), { dir }), migrate(pool(), { dir })]);
  assert.deepEqual([...a.applied, ...b.applied], ['9001_lock_probe']);
  const { rows } = await pool().query('select count(*)::int as n from lock_probe');
  assert.equal(rows[0].n, 1);
  assert.deepEqual(await pendingMigrations(pool(), dir), []);
});

test('an applied migration that changed on disk stops the start', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  writeFileSync(path.join(dir, '9001_lock_probe.sql'), 'select 1;');
  await assert.rejects(migrate(pool(), { dir }), /changed after it was applied/);
});

test('a failing migration rolls back entirely and names itself', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-mig-'));
  for (const f of readdirSync(MIGRATIONS_DIR)) copyFileSync(path.join(MIGRATIONS_DIR, f), path.join(dir, f));
  writeFileSync(path.join(dir, '9001_lock_probe.sql'), 'create table lock_probe (id int primary key); insert into lock_probe values (1);');
  writeFileSync(path.join(dir, '9002_broken.sql'), 'create table half_done (id int); select * from no_such_table;');
  await assert.rejects(migrate(pool(), { dir }), /9002_broken failed/);
  const { rows } = await pool().query(`select to_regclass('half_done') as t`);
  assert.equal(rows[0].t, null);
});
