// A full logical backup of the installation's database and its restore (issue 16, `atrium backup`
// / `atrium restore`). No pg_dump: the platform's schema is its migrations, so a backup holds the
// rows (PostgreSQL's COPY, text format) of every platform table in one consistent snapshot, plus
// each workspace's data API schema as its data export (migrations, then rows), written by a hook.
//
// File: "ATRIUMBK1\n", a 12-byte IV, then AES-256-GCM over gzip over frames, then the 16-byte tag.
// A frame is a type byte, a 32-bit length and its payload: H header, T table start, D COPY bytes,
// E table end, W/L/X a workspace's data export (start, JSON lines, end), Z trailer. Beside the file,
// `<file>.manifest.json` says what it holds and its SHA-256.
//
// Restore: into a database with no workspace, migrated by the caller (to the backup's list), then
// in ONE transaction every table in foreign-key order with its user triggers off (counters and
// version bumps were backed up as they were), then the sequences, then the workspaces' data
// schemas. Nothing is committed unless the GCM tag verifies and every count matches.
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, openSync, readSync, closeSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { once } from 'node:events';
import { Readable, Transform } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import path from 'node:path';
import pg from 'pg';
import promClient from 'prom-client';
import type { Database } from './db/database.ts';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import type { MasterKey } from './config.ts';

const MAGIC = Buffer.from('ATRIUMBK1\n');
const IV_BYTES = 12;
const TAG_BYTES = 16;
export const BACKUP_FORMAT = 'atrium-backup';

export type TableEntry = { name: string; columns: string[]; rows: number };
export type BackupManifest = {
  format: typeof BACKUP_FORMAT; version: 1; createdAt: string; atriumVersion: string;
  migrations: number[]; tables: TableEntry[]; sequences: Array<{ name: string; value: string | null }>;
  dataWorkspaces: Array<{ workspaceId: string; lines: number }>;
  bytes: number; sha256: string; keyId: string;
};

/**
 * The data API's part (its module's export): the workspaces with a data schema, each one's export
 * line by line, and the platform tables it rebuilds itself on restore (left out of the COPY).
 */
export type DataExporter = { ownTables: string[]; workspaces(): Promise<string[]>; export(workspaceId: string, write: (line: string) => Promise<void>): Promise<void> };
/** Loads one workspace's data export into the restored database. */
export type DataImporter = (workspaceId: string, lines: string[]) => Promise<void>;

export class BackupError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** The key a backup is sealed with: ATRIUM_BACKUP_KEY (32 bytes, base64) or one derived from the master key. */
export function backupKey(master: MasterKey, configured: string | undefined): { key: Buffer; id: string } {
  if (configured) {
    const key = Buffer.from(configured, 'base64');
    if (key.length !== 32) throw new BackupError('BACKUP_KEY_INVALID', 'ATRIUM_BACKUP_KEY must be 32 random bytes in base64 (openssl rand -base64 32)');
    return { key, id: `backup-key:${createHash('sha256').update(key).digest('hex').slice(0, 16)}` };
  }
  return { key: createHmac('sha256', master.key).update('atrium:backup:v1').digest(), id: `master-key:${master.id}` };
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** A connection of its own, outside the pools (COPY streams need a client not in pipeline mode). */
async function connect(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: 'atrium-backup' });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

function frame(type: string, payload: Buffer | string): Buffer {
  const body = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const head = Buffer.alloc(5);
  head.write(type, 0, 'ascii');
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
}

/**
 * Every platform table (not partitions), parents before children by foreign key, with its
 * non-generated columns. Deferrable keys (workflows ↔ their versions) are checked at the restore's
 * commit, so they do not order.
 */
async function tablesInOrder(client: pg.Client): Promise<Array<{ name: string; columns: string[] }>> {
  const { rows: tables } = await client.query<{ name: string; columns: string[] }>(`
    select c.relname as name,
           array(select a.attname::text from pg_attribute a where a.attrelid = c.oid and a.attnum > 0 and not a.attisdropped and a.attgenerated = '' order by a.attnum) as columns
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'
    order by c.relname`);
  const { rows: edges } = await client.query<{ child: string; parent: string }>(`
    select distinct c.relname as child, p.relname as parent from pg_constraint k
    join pg_class c on c.oid = k.conrelid join pg_class p on p.oid = k.confrelid join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and not k.condeferrable and n.nspname = 'public' and c.oid <> p.oid`);
  const parents = new Map<string, Set<string>>(tables.map((t) => [t.name, new Set<string>()]));
  for (const e of edges) parents.get(e.child)?.add(e.parent);
  const ordered: Array<{ name: string; columns: string[] }> = [];
  const done = new Set<string>();
  while (ordered.length < tables.length) {
    const ready = tables.filter((t) => !done.has(t.name) && [...parents.get(t.name)!].every((p) => done.has(p) || !parents.has(p)));
    if (!ready.length) throw new BackupError('BACKUP_SCHEMA_CYCLE', `foreign keys form a cycle between ${tables.filter((t) => !done.has(t.name)).map((t) => t.name).join(', ')}`);
    for (const t of ready) { ordered.push(t); done.add(t.name); }
  }
  return ordered;
}

/** atrium_backup_last_success_timestamp_seconds: when the last `atrium backup` completed (0: never), read at each scrape. */
export function registerBackupMetric(registry: promClient.Registry, db: Pick<Database, 'withPlatform'>): void {
  new promClient.Gauge({
    name: 'atrium_backup_last_success_timestamp_seconds',
    help: 'When the last atrium backup completed (Unix seconds; 0 when none is recorded)',
    registers: [registry],
    async collect() {
      const { rows } = await db.withPlatform((tx) => tx.query<{ at: number | null }>('select extract(epoch from max(finished_at))::float8 as at from backup_runs'));
      this.set(rows[0]?.at ?? 0);
    },
  });
}

export async function writeBackup(options: {
  /** The owner role, straight to PostgreSQL (Database.directUrl): one snapshot on one connection. */
  directUrl: string; file: string; key: { key: Buffer; id: string }; atriumVersion: string; data?: DataExporter;
  onProgress?: (event: { table?: string; rows?: number; workspaceId?: string }) => void;
}): Promise<BackupManifest> {
  const client = await connect(options.directUrl);
  const tables: TableEntry[] = [];
  const dataWorkspaces: Array<{ workspaceId: string; lines: number }> = [];
  try {
    // One snapshot for every table; as the platform role (its policies see every workspace: the
    // owner, when not a superuser, would see nothing through forced row-level security).
    await client.query('begin isolation level repeatable read read only');
    // As the owner: the migrations applied and the sequences (the same snapshot throughout).
    const migrations = (await client.query<{ version: number }>('select version from schema_migrations order by version')).rows.map((r) => r.version);
    const sequences = (await client.query<{ name: string; value: string | null }>(`select sequencename as name, last_value::text as value from pg_sequences where schemaname = 'public' order by sequencename`)).rows;
    await client.query('set local role atrium_platform');
    const skipped = new Set(options.data?.ownTables ?? []);
    const order = (await tablesInOrder(client)).filter((t) => !skipped.has(t.name));
    const denied = (await client.query<{ name: string }>(
      `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
       where n.nspname = 'public' and c.relname = any($1) and not has_table_privilege(c.oid, 'SELECT')`, [order.map((t) => t.name)])).rows;
    if (denied.length) throw new BackupError('BACKUP_NOT_READABLE', `the platform role cannot read ${denied.map((d) => d.name).join(', ')}`);
    const header = { format: BACKUP_FORMAT, version: 1, createdAt: new Date().toISOString(), atriumVersion: options.atriumVersion, migrations, sequences };
    const dataIds = options.data ? await options.data.workspaces() : [];

    async function* frames(): AsyncGenerator<Buffer> {
      yield frame('H', JSON.stringify(header));
      for (const t of order) {
        yield frame('T', JSON.stringify({ name: t.name, columns: t.columns }));
        let rows = 0;
        const stream = client.query(copyTo(`copy ${quoteIdent(t.name)} (${t.columns.map(quoteIdent).join(', ')}) to stdout`));
        for await (const chunk of stream as AsyncIterable<Buffer>) {
          for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
          yield frame('D', chunk);
        }
        tables.push({ name: t.name, columns: t.columns, rows });
        options.onProgress?.({ table: t.name, rows });
        yield frame('E', JSON.stringify({ name: t.name, rows }));
      }
      for (const workspaceId of dataIds) {
        yield frame('W', JSON.stringify({ workspaceId }));
        const lines: string[] = [];
        await options.data!.export(workspaceId, async (line) => { lines.push(line); });
        for (let i = 0; i < lines.length; i += 500) yield frame('L', lines.slice(i, i + 500).join('\n'));
        dataWorkspaces.push({ workspaceId, lines: lines.length });
        options.onProgress?.({ workspaceId });
        yield frame('X', JSON.stringify({ workspaceId, lines: lines.length }));
      }
      yield frame('Z', JSON.stringify({ tables: tables.map((t) => ({ name: t.name, rows: t.rows })), dataWorkspaces }));
    }

    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', options.key.key, iv);
    cipher.setAAD(MAGIC);
    const hash = createHash('sha256').update(MAGIC).update(iv);
    writeFileSync(options.file, Buffer.concat([MAGIC, iv]), { mode: 0o600 });
    const tap = new Transform({ transform(chunk: Buffer, _enc, done) { hash.update(chunk); done(null, chunk); } });
    await pipeline(Readable.from(frames()), createGzip(), cipher, tap, createWriteStream(options.file, { flags: 'a' }));
    const tag = cipher.getAuthTag();
    hash.update(tag);
    const out = createWriteStream(options.file, { flags: 'a' });
    out.end(tag);
    await once(out, 'finish');
    await client.query('commit');
    const manifest: BackupManifest = {
      ...header, format: BACKUP_FORMAT, version: 1, tables, dataWorkspaces, bytes: statSync(options.file).size, sha256: hash.digest('hex'), keyId: options.key.id,
    };
    writeFileSync(`${options.file}.manifest.json`, JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    // Recorded once the file and its manifest are written: the age of the last good backup is a metric and an alert.
    await client.query('begin');
    await client.query('set local role atrium_platform');
    await client.query(
      `insert into backup_runs (started_at, file_name, bytes, sha256, key_id, tables, rows_total, atrium_version) values ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [header.createdAt, path.basename(options.file).slice(0, 500), manifest.bytes, manifest.sha256, manifest.keyId, tables.length, tables.reduce((n, t) => n + t.rows, 0), options.atriumVersion.slice(0, 50)],
    );
    await client.query('commit');
    return manifest;
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Splits the decrypted, decompressed stream into frames. */
async function* readFrames(source: AsyncIterable<Buffer>): AsyncGenerator<{ type: string; payload: Buffer }> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    let at = 0;
    while (pending.length - at >= 5) {
      const length = pending.readUInt32BE(at + 1);
      if (pending.length - at < 5 + length) break;
      yield { type: pending.toString('ascii', at, at + 1), payload: pending.subarray(at + 5, at + 5 + length) };
      at += 5 + length;
    }
    pending = pending.subarray(at);
  }
  if (pending.length) throw new BackupError('BACKUP_CORRUPT', 'the backup ends in the middle of a frame');
}

export async function restoreBackup(options: {
  directUrl: string; file: string; key: { key: Buffer; id: string }; importData?: DataImporter;
  onProgress?: (event: { table?: string; rows?: number; workspaceId?: string }) => void;
}): Promise<{ tables: TableEntry[]; dataWorkspaces: number }> {
  const manifestFile = `${options.file}.manifest.json`;
  const manifest = ((): BackupManifest | null => {
    try {
      return JSON.parse(readFileSync(manifestFile, 'utf8')) as BackupManifest;
    } catch {
      return null; // no manifest beside it: the GCM tag still proves the file whole
    }
  })();
  if (manifest) {
    if (manifest.keyId !== options.key.id) throw new BackupError('BACKUP_KEY_MISMATCH', `the backup was sealed with ${manifest.keyId}; this installation's key is ${options.key.id} (set ATRIUM_BACKUP_KEY or the master key it was made with)`);
    const sum = await sha256OfFile(options.file);
    if (sum !== manifest.sha256) throw new BackupError('BACKUP_CORRUPT', `the file's SHA-256 is ${sum}, the manifest says ${manifest.sha256}`);
  }
  const size = statSync(options.file).size;
  if (size < MAGIC.length + IV_BYTES + TAG_BYTES) throw new BackupError('BACKUP_CORRUPT', 'the file is too short to be a backup');
  const fd = openSync(options.file, 'r');
  const head = Buffer.alloc(MAGIC.length + IV_BYTES);
  const tag = Buffer.alloc(TAG_BYTES);
  readSync(fd, head, 0, head.length, 0);
  readSync(fd, tag, 0, TAG_BYTES, size - TAG_BYTES);
  closeSync(fd);
  if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new BackupError('BACKUP_CORRUPT', 'not an Atrium backup (no ATRIUMBK1 header)');

  // The target holds no workspace: a restore never merges into a live installation.
  {
    // As the platform role: the owner, when not a superuser, would see no row through forced RLS.
    const c = await connect(options.directUrl);
    const n = await c.query<{ t: string | null }>(`select to_regclass('public.workspace_directory')::text as t`)
      .then(async (existing) => {
        if (!existing.rows[0].t) return 0;
        await c.query('begin');
        await c.query('set local role atrium_platform');
        return (await c.query<{ n: number }>('select count(*)::int as n from workspace_directory')).rows[0].n;
      })
      .finally(() => c.end().catch(() => undefined));
    if (n > 0) throw new BackupError('RESTORE_TARGET_NOT_EMPTY', `the target database holds ${n} workspace(s): restore into an empty database`);
  }

  const decipher = createDecipheriv('aes-256-gcm', options.key.key, head.subarray(MAGIC.length));
  decipher.setAAD(MAGIC);
  decipher.setAuthTag(tag);

  const client = await connect(options.directUrl);
  const restored: TableEntry[] = [];
  const dataSets: Array<{ workspaceId: string; lines: string[] }> = [];
  try {
    await client.query('begin');
    await client.query('set constraints all deferred');
    let altered: Array<{ name: string; forced: boolean }> = [];
    let header: { migrations: number[]; sequences: Array<{ name: string; value: string | null }> } | null = null;
    let trailer: { tables: Array<{ name: string; rows: number }> } | null = null;
    const consume = async (source: AsyncIterable<Buffer>) => {
      let current: { name: string; columns: string[]; copy: Writable; done: Promise<void> } | null = null;
      let data: { workspaceId: string; lines: string[] } | null = null;
      for await (const f of readFrames(source)) {
        if (f.type === 'H') {
          header = JSON.parse(f.payload.toString('utf8')) as NonNullable<typeof header>;
          const applied = (await client.query<{ version: number }>('select version from schema_migrations order by version')).rows.map((r) => r.version);
          if (JSON.stringify(applied) !== JSON.stringify(header.migrations)) {
            throw new BackupError('RESTORE_VERSION_MISMATCH', `the backup was made at migration ${header.migrations.at(-1)}, this code migrates to ${applied.at(-1)}: restore with the release that made it, then upgrade`);
          }
          // As the tables' owner, every table's own triggers off (what they compute — counters, version
          // bumps — was backed up as it was) and row-level security not forced on the owner, until the end.
          altered = (await client.query<{ name: string; forced: boolean }>(`
            select c.relname as name, c.relforcerowsecurity as forced from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = 'public' and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> 'schema_migrations'`)).rows;
          for (const t of altered) await client.query(`alter table ${quoteIdent(t.name)} disable trigger user, no force row level security`);
        } else if (f.type === 'T') {
          const t = JSON.parse(f.payload.toString('utf8')) as { name: string; columns: string[] };
          // Rows the migrations seeded (the price catalogue…) give way to the backup's: the target holds no workspace.
          await client.query(`delete from ${quoteIdent(t.name)}`);
          const copy = client.query(copyFrom(`copy ${quoteIdent(t.name)} (${t.columns.map(quoteIdent).join(', ')}) from stdin`));
          current = { ...t, copy, done: new Promise((resolve, reject) => { copy.on('finish', () => resolve()); copy.on('error', reject); }) };
          current.done.catch(() => undefined);
        } else if (f.type === 'D') {
          if (!current) throw new BackupError('BACKUP_CORRUPT', 'rows outside a table');
          if (!current.copy.write(f.payload)) await Promise.race([once(current.copy, 'drain'), current.done]);
        } else if (f.type === 'E') {
          const end = JSON.parse(f.payload.toString('utf8')) as { name: string; rows: number };
          if (!current || current.name !== end.name) throw new BackupError('BACKUP_CORRUPT', `the end of ${end.name} outside it`);
          current.copy.end();
          await current.done;
          const rows = Number((current.copy as unknown as { rowCount: number }).rowCount);
          if (rows !== end.rows) throw new BackupError('RESTORE_COUNT_MISMATCH', `${end.name}: ${rows} rows restored, the backup holds ${end.rows}`);
          restored.push({ name: end.name, columns: current.columns, rows });
          options.onProgress?.({ table: end.name, rows });
          current = null;
        } else if (f.type === 'W') {
          data = { workspaceId: (JSON.parse(f.payload.toString('utf8')) as { workspaceId: string }).workspaceId, lines: [] };
        } else if (f.type === 'L') {
          data!.lines.push(...f.payload.toString('utf8').split('\n'));
        } else if (f.type === 'X') {
          dataSets.push(data!);
          data = null;
        } else if (f.type === 'Z') {
          trailer = JSON.parse(f.payload.toString('utf8')) as NonNullable<typeof trailer>;
        } else {
          throw new BackupError('BACKUP_CORRUPT', `unknown frame ${JSON.stringify(f.type)}`);
        }
      }
    };
    // The GCM tag is checked when the decipher ends: a backup altered anywhere rejects the pipeline,
    // and nothing is committed.
    await pipeline(createReadStream(options.file, { start: head.length, end: size - TAG_BYTES - 1 }), decipher, createGunzip(), consume).catch((err: Error) => {
      if (err instanceof BackupError || (err as { code?: string }).code?.startsWith?.('23')) throw err;
      if (/unable to authenticate|auth/i.test(err.message) || (err as { code?: string }).code === 'Z_DATA_ERROR') throw new BackupError('BACKUP_CORRUPT', `the backup does not decrypt or was altered (${err.message})`);
      throw err;
    });
    const h = header as { migrations: number[]; sequences: Array<{ name: string; value: string | null }> } | null;
    const z = trailer as { tables: Array<{ name: string; rows: number }> } | null;
    if (!h || !z) throw new BackupError('BACKUP_CORRUPT', 'the backup ends before its trailer');
    if (z.tables.length !== restored.length) throw new BackupError('RESTORE_COUNT_MISMATCH', `${restored.length} tables restored, the backup lists ${z.tables.length}`);
    for (const seq of h.sequences) {
      if (seq.value !== null) await client.query('select setval($1::regclass, $2::bigint)', [`public.${quoteIdent(seq.name)}`, seq.value]);
    }
    // The deferred keys are checked now; then every table as it was.
    await client.query('set constraints all immediate');
    for (const t of altered) await client.query(`alter table ${quoteIdent(t.name)} enable trigger user${t.forced ? ', force row level security' : ''}`);
    await client.query('commit');
  } catch (err) {
    await client.query('rollback').catch(() => undefined);
    throw err;
  } finally {
    await client.end().catch(() => undefined);
  }
  for (const d of dataSets) {
    await options.importData?.(d.workspaceId, d.lines);
    options.onProgress?.({ workspaceId: d.workspaceId });
  }
  return { tables: restored, dataWorkspaces: dataSets.length };
}
