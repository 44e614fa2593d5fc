// The Citus path (issue 16, docs/scaling.md): every table can be distributed by workspace_id or is
// a declared reference / local table. Read from the catalog of a migrated database, so a future
// migration that breaks the rules fails here:
// - a distributed table has a NOT NULL workspace_id, its primary key and every unique constraint
//   or index lead with workspace_id (Citus enforces uniqueness per shard only when the
//   distribution column is in the key);
// - a foreign key from a distributed table to another distributed table leads with workspace_id on
//   both sides (co-located: the check never crosses shards);
// - a reference table (replicated to every node) has no foreign key to a distributed table;
// - every table is in exactly one of the lists below, with the reason it is not distributed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { createTestDatabase } from '../helpers/platform.ts';

/** Platform-wide, small, read everywhere, rarely written: replicated to every node (create_reference_table). */
export const REFERENCE_TABLES: Record<string, string> = {
  workspaces: 'the tenant directory (parents and children, slugs): every distributed row points to it',
  users: 'identity is global: one person, many workspaces; the email is unique across them',
  llm_platform_providers: 'providers the operator offers to every workspace',
  llm_prices: 'the shipped, effective-dated price catalogue',
  api_keys: 'a request\'s key is found by its prefix alone, before any workspace is known, so the prefix is unique across the installation; '
    + 'few rows, written when a key is made or revoked (last_used_at at most once a minute per key and process)',
  workflow_build_branches: 'one row per workspace, named once: branch names are unique across the installation\'s one build repository',
};

/**
 * Kept on the coordinator (Citus "local" tables, which may point to reference tables): platform
 * machinery, or identity state read before any workspace is known. Each says why.
 */
export const LOCAL_TABLES: Record<string, string> = {
  jobs: 'the job engine: claims scan lanes of every workspace fairly (SKIP LOCKED); platform jobs have no workspace',
  job_lanes: 'the job engine\'s fair-share cursor, per queue and workspace (and the platform lane)',
  job_schedules: 'cron schedules, platform ones included; ticked by any worker with SKIP LOCKED',
  sessions: 'read on every request by session id, before the workspace is trusted',
  refresh_tokens: 'looked up by token hash at refresh, before any workspace is known',
  mfa_challenges: 'a login in progress, before a workspace is chosen',
  login_attempts: 'brute-force counters per email and address, across workspaces',
  api_logs: 'requests without a workspace (unauthenticated, refused) are logged too',
  health_samples: 'the platform\'s own health, one row a minute',
  audit_seal_position: 'the audit sealer\'s cursor (one row)',
  usage_rollup_watermark: 'the usage roll-up\'s cursor (one row)',
  backup_runs: 'the installation\'s backups (no workspace: one backup holds them all)',
  impersonations: 'tied to the session it created (sessions are local, read before a workspace is trusted); a platform admin\'s act, a few a month',
  impersonation_requests: 'an impersonation points to its request (local with it); a platform admin\'s act, a few a month',
};

/**
 * What still stands between a table and distribution, each written out in docs/scaling.md with
 * what would lift it. The test fails on any problem not listed here, and on a listed one that is
 * gone (so the list only shrinks).
 */
export const KNOWN_GAPS: string[] = [];

let database: Awaited<ReturnType<typeof createTestDatabase>>;
let client: pg.Client;
before(async () => {
  database = await createTestDatabase();
  client = new pg.Client({ connectionString: database.url });
  await client.connect();
});
after(async () => {
  await client.end();
  await database.drop();
});

type Table = { name: string; hasWs: boolean; wsNotNull: boolean };
type Key = { table: string; name: string; kind: 'p' | 'u' | 'i'; columns: string[] };
type Fk = { table: string; name: string; columns: string[]; refTable: string; refColumns: string[] };

async function catalog(): Promise<{ tables: Table[]; keys: Key[]; fks: Fk[] }> {
  const tables = (await client.query<Table>(`
    select c.relname as name,
           exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped) as "hasWs",
           coalesce((select a.attnotnull from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped), false) as "wsNotNull"
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'
    order by c.relname`)).rows;
  // Primary keys, unique constraints, and unique indexes that are not a constraint's.
  const keys = (await client.query<Key>(`
    select c.relname as table, i.relname as name,
           case when con.contype = 'p' then 'p' when con.contype = 'u' then 'u' else 'i' end as kind,
           array(select a.attname from unnest(ix.indkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum order by k.ord)::text[] as columns
    from pg_index ix join pg_class c on c.oid = ix.indrelid join pg_class i on i.oid = ix.indexrelid join pg_namespace n on n.oid = c.relnamespace
    left join pg_constraint con on con.conindid = ix.indexrelid and con.contype in ('p', 'u')
    where n.nspname = 'public' and ix.indisunique and c.relkind in ('r', 'p') and not c.relispartition`)).rows;
  const fks = (await client.query<Fk>(`
    select c.relname as table, con.conname as name, r.relname as "refTable",
           array(select a.attname from unnest(con.conkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[] as columns,
           array(select a.attname from unnest(con.confkey) with ordinality k(attnum, ord) join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[] as "refColumns"
    from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_class r on r.oid = con.confrelid join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and con.contype = 'f' and not c.relispartition`)).rows;
  return { tables, keys, fks };
}

test('every table is distributed by workspace_id, or a declared reference or local table, and follows its rules', async () => {
  const { tables, keys, fks } = await catalog();
  const names = new Set(tables.map((t) => t.name));
  const declared = (name: string) => name in REFERENCE_TABLES || name in LOCAL_TABLES;
  const distributed = new Set(tables.filter((t) => !declared(t.name)).map((t) => t.name));
  const problems: string[] = [];
  const kindOf = (table: string) => distributed.has(table) ? 'distributed' : table in REFERENCE_TABLES ? 'reference' : 'local';
  for (const name of [...Object.keys(REFERENCE_TABLES), ...Object.keys(LOCAL_TABLES)]) if (!names.has(name)) problems.push(`${name} is declared but does not exist`);
  for (const t of tables) {
    if (!distributed.has(t.name)) continue;
    if (!t.hasWs) { problems.push(`${t.name}: no workspace_id (distribute it, or declare it a reference or local table)`); continue; }
    if (!t.wsNotNull) problems.push(`${t.name}: workspace_id may be null`);
  }
  for (const k of keys) {
    if (!distributed.has(k.table)) continue;
    if (k.columns[0] !== 'workspace_id') problems.push(`${k.table}: ${k.kind === 'p' ? 'primary key' : 'unique'} ${k.name} (${k.columns.join(', ')}) does not lead with workspace_id`);
  }
  for (const f of fks) {
    const from = kindOf(f.table);
    const to = kindOf(f.refTable);
    if (from === 'distributed' && to === 'distributed' && (f.columns[0] !== 'workspace_id' || f.refColumns[0] !== 'workspace_id')) {
      problems.push(`${f.table}: foreign key ${f.name} (${f.columns.join(', ')}) → ${f.refTable} (${f.refColumns.join(', ')}) does not lead with workspace_id on both sides`);
    }
    // Citus: a reference table points only to reference tables; distributed and local tables do not point to each other.
    if (from === 'reference' && to !== 'reference') problems.push(`${f.table} (reference): foreign key ${f.name} to ${to} ${f.refTable}`);
    if ((from === 'distributed' && to === 'local') || (from === 'local' && to === 'distributed')) problems.push(`${f.table} (${from}): foreign key ${f.name} to ${to} ${f.refTable}`);
  }
  const unknown = problems.filter((p) => !KNOWN_GAPS.includes(p));
  const lifted = KNOWN_GAPS.filter((p) => !problems.includes(p));
  assert.deepEqual(unknown, [], `a table breaks the distribution rules:\n${unknown.join('\n')}`);
  assert.deepEqual(lifted, [], `fixed: remove from KNOWN_GAPS (and docs/scaling.md):\n${lifted.join('\n')}`);
});
