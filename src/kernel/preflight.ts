// `atrium preflight`: is this installation complete and safe to serve? Configuration (secrets not
// generated on disk, /metrics not public, TLS or a trusted proxy, mail reachable), the database
// (version, extensions, migrations, roles, row-level security on every tenant table), the job
// engine (workers consuming, dead letters, overdue schedules) and the clock against the
// database's. Each check says ok, warn or fail and why; any fail makes the command exit non-zero.
// Reads only: nothing is migrated or changed.
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import type { Config } from './config.ts';
import type { Database } from './db/database.ts';
import pg from 'pg';
import { pendingMigrations } from './db/migrate.ts';

export type CheckStatus = 'ok' | 'warn' | 'fail';
export type Check = { group: 'configuration' | 'database' | 'jobs' | 'clock'; name: string; status: CheckStatus; detail: string };
export type PreflightReport = { isOk: boolean; counts: Record<CheckStatus, number>; checks: Check[] };

/** Extensions the migrations create (0026). */
const EXTENSIONS = ['pg_trgm', 'btree_gin'];
/** Tables that carry a workspace_id but are read before a workspace is bound (identity's). */
const RLS_EXEMPT = new Set(['sessions', 'mfa_challenges']);
const MIN_SERVER_VERSION = 160000;

const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\./.test(host);

function configurationChecks(config: Config, env: Record<string, string | undefined>): Check[] {
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ group: 'configuration', name, status, detail });
  const prod = config.isProduction;

  add('mode', prod ? 'ok' : 'warn', prod ? 'NODE_ENV=production' : `NODE_ENV=${env.NODE_ENV ?? '(unset)'}: development defaults (generated secrets, embedded PostgreSQL); set NODE_ENV=production to serve`);
  const secretFromEnv = env.ATRIUM_SECRET !== undefined && env.ATRIUM_SECRET !== '';
  add('root secret', secretFromEnv ? 'ok' : prod ? 'fail' : 'warn', secretFromEnv
    ? `ATRIUM_SECRET is set (${config.secret.length} characters)`
    : `generated into ${config.dataDir}/secret: every process of the installation needs the same one; set ATRIUM_SECRET`);
  const master = config.masterKey;
  add('master key', master.source === 'env' || master.source === 'file' ? 'ok' : prod ? 'fail' : 'warn',
    master.source === 'env' ? `ATRIUM_MASTER_KEY (id ${master.id})` : master.source === 'file' ? `ATRIUM_MASTER_KEY_FILE (id ${master.id})`
      : `generated into ${master.file}: back it up (without it the vault is lost) or set ATRIUM_MASTER_KEY / _FILE`);

  const metrics = config.metricsAddress;
  if (!metrics) add('metrics', config.metricsToken ? 'ok' : 'warn', config.metricsToken ? '/metrics on the API port, with a bearer token' : '/metrics is not served (ATRIUM_METRICS_ADDRESS=off, no token): nothing to scrape');
  else if (isLoopback(metrics.host)) add('metrics', 'ok', `/metrics on ${metrics.host}:${metrics.port} (loopback only)`);
  // On Kubernetes it is bound to the pod's address on purpose (scraped there): a network policy must close it, which this cannot see.
  else add('metrics', 'warn', `/metrics is served without authentication on ${metrics.host}:${metrics.port}: make sure only Prometheus reaches that port (a network policy), or bind it to loopback and use ATRIUM_METRICS_TOKEN`);
  if (config.metricsToken && config.metricsToken.length < 24) add('metrics token', 'warn', 'ATRIUM_METRICS_TOKEN is shorter than 24 characters');

  const publicUrl = new URL(config.publicUrl);
  const isHttps = publicUrl.protocol === 'https:';
  const hasProxy = config.trustProxy !== false;
  if (isHttps && hasProxy) add('tls', 'ok', `public URL ${config.publicUrl}, behind a trusted proxy (ATRIUM_TRUST_PROXY)`);
  else if (isHttps) add('tls', 'warn', `public URL is https but ATRIUM_TRUST_PROXY is unset: if TLS ends at a proxy, client addresses (rate limits, audit) will be the proxy's`);
  else if (isLoopback(publicUrl.hostname)) add('tls', prod ? 'fail' : 'ok', `public URL ${config.publicUrl} (local)${prod ? ': set ATRIUM_PUBLIC_URL to the https address users reach' : ''}`);
  else add('tls', 'fail', `public URL ${config.publicUrl} is plain http: tokens and passwords would cross the network in clear; serve https (ATRIUM_PUBLIC_URL=https://…, TLS at a proxy with ATRIUM_TRUST_PROXY)`);
  return checks;
}

/** Opens a connection to the SMTP server (TLS for smtps) and reads its greeting. */
function probeSmtp(smtpUrl: string, timeoutMs: number): Promise<string> {
  const url = new URL(smtpUrl);
  const isTls = url.protocol === 'smtps:';
  const port = Number(url.port || (isTls ? 465 : 587));
  return new Promise((resolve, reject) => {
    const socket = isTls ? tlsConnect({ host: url.hostname, port, servername: url.hostname }) : tcpConnect({ host: url.hostname, port });
    const timer = setTimeout(() => { socket.destroy(); reject(new Error(`no answer from ${url.hostname}:${port} within ${timeoutMs} ms`)); }, timeoutMs);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      socket.end('QUIT\r\n');
      const greeting = chunk.toString('utf8').split('\r\n')[0];
      if (/^220[ -]/.test(greeting)) resolve(`${url.hostname}:${port} answers: ${greeting.slice(0, 80)}`);
      else reject(new Error(`${url.hostname}:${port} answered "${greeting.slice(0, 80)}", not an SMTP greeting`));
    });
    socket.once('error', (err) => { clearTimeout(timer); reject(err); });
  });
}

async function mailCheck(config: Config): Promise<Check> {
  if (!config.smtpUrl) {
    return { group: 'configuration', name: 'mail', status: config.isProduction ? 'fail' : 'warn', detail: 'SMTP_URL is unset: invitations, password resets and alerts are written to the log, not sent' };
  }
  try {
    return { group: 'configuration', name: 'mail', status: 'ok', detail: await probeSmtp(config.smtpUrl, 3000) };
  } catch (err) {
    return { group: 'configuration', name: 'mail', status: 'fail', detail: `SMTP_URL unreachable: ${(err as Error).message}` };
  }
}

/** Behind a transaction pooler, the direct URL (LISTEN, migrations, backups) must reach the server and database the pooler serves. */
async function poolerCheck(db: Database, q: <R extends Record<string, unknown>>(text: string) => Promise<R[]>): Promise<Check> {
  const WHERE = `select current_database() as db, pg_postmaster_start_time()::text as started, inet_server_port() as port`;
  type Where = { db: string; started: string; port: number | null };
  const direct = new pg.Client({ connectionString: db.directUrl, connectionTimeoutMillis: 5000, application_name: 'atrium-preflight' });
  direct.on('error', () => undefined);
  try {
    await direct.connect();
    const [viaPooler] = await q<Where>(WHERE);
    const [straight] = (await direct.query<Where>(WHERE)).rows;
    const isSame = viaPooler.db === straight.db && viaPooler.started === straight.started && viaPooler.port === straight.port;
    return {
      group: 'database', name: 'pooler', status: isSame ? 'ok' : 'fail',
      detail: isSame ? `transaction pooling; DATABASE_DIRECT_URL reaches the same server and database (${straight.db})`
        : `DATABASE_DIRECT_URL reaches ${straight.db} on port ${straight.port}, the pooler ${viaPooler.db} on port ${viaPooler.port} (or another server): LISTEN and migrations would miss this database`,
    };
  } catch (err) {
    return { group: 'database', name: 'pooler', status: 'fail', detail: `DATABASE_DIRECT_URL unreachable: ${(err as Error).message} (LISTEN, migrations and backups need it)` };
  } finally {
    await direct.end().catch(() => undefined);
  }
}

async function databaseChecks(db: Database, migrationsDir?: string): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ group: 'database', name, status, detail });
  const q = <R extends Record<string, unknown>>(text: string, values: unknown[] = []) => db.owner.query<R>(text, values).then((r) => r.rows);

  const [{ version, num }] = await q<{ version: string; num: number }>(`select current_setting('server_version') as version, current_setting('server_version_num')::int as num`);
  add('version', num >= MIN_SERVER_VERSION ? 'ok' : 'fail', `PostgreSQL ${version}${num >= MIN_SERVER_VERSION ? '' : ' (16 or later is required)'}`);

  if (db.pooler === 'transaction') checks.push(await poolerCheck(db, q));

  const present = new Set((await q<{ extname: string }>('select extname from pg_extension')).map((r) => r.extname));
  const missing = EXTENSIONS.filter((e) => !present.has(e));
  add('extensions', missing.length ? 'fail' : 'ok', missing.length ? `missing: ${missing.join(', ')} (the migrations create them; the owner needs the right to)` : EXTENSIONS.join(', '));

  const hasTable = (await q<{ t: string | null }>(`select to_regclass('public.schema_migrations')::text as t`))[0].t !== null;
  if (!hasTable) {
    add('migrations', 'fail', 'no migration was ever applied: run `atrium migrate` (or start once)');
    return checks;
  }
  const pending = await pendingMigrations(db.owner, migrationsDir);
  const [{ newest }] = await q<{ newest: number | null }>('select max(version) as newest from schema_migrations');
  add('migrations', pending.length ? 'fail' : 'ok', pending.length
    ? `${pending.length} pending: ${pending.slice(0, 5).join(', ')}${pending.length > 5 ? '…' : ''} (run \`atrium migrate\`)`
    : `all applied (the newest: ${String(newest ?? 0).padStart(4, '0')})`);

  const roles = await q<{ rolname: string; rolsuper: boolean; rolbypassrls: boolean; owns: number }>(
    `select r.rolname, r.rolsuper, r.rolbypassrls, (select count(*)::int from pg_tables t where t.tableowner = r.rolname) as owns
     from pg_roles r where r.rolname in ('atrium_app', 'atrium_platform') order by r.rolname`);
  const app = roles.find((r) => r.rolname === 'atrium_app');
  const problems: string[] = [];
  for (const name of ['atrium_app', 'atrium_platform']) if (!roles.some((r) => r.rolname === name)) problems.push(`${name} is missing`);
  if (app?.rolsuper) problems.push('atrium_app is a superuser');
  if (app?.rolbypassrls) problems.push('atrium_app bypasses row-level security');
  if (app && app.owns > 0) problems.push(`atrium_app owns ${app.owns} table(s)`);
  add('roles', problems.length ? 'fail' : 'ok', problems.length ? problems.join('; ') : 'atrium_app (requests: no superuser, no BYPASSRLS, owns nothing) and atrium_platform');

  const tenantTables = (await q<{ relname: string; enabled: boolean; forced: boolean }>(`
    select c.relname, c.relrowsecurity as enabled, c.relforcerowsecurity as forced from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relkind in ('r', 'p')
      and exists (select 1 from pg_attribute a where a.attrelid = c.oid and a.attname = 'workspace_id' and not a.attisdropped)
    order by c.relname`)).filter((r) => !RLS_EXEMPT.has(r.relname));
  const bad = tenantTables.filter((r) => !(r.enabled && r.forced));
  add('row-level security', bad.length ? 'fail' : 'ok', bad.length
    ? `not enabled and forced on: ${bad.map((r) => `${r.relname} (${r.enabled ? 'enabled, not forced' : 'disabled'})`).join(', ')}`
    : `enabled and forced on all ${tenantTables.length} tenant tables (${[...RLS_EXEMPT].join(', ')}: read before a workspace is bound, by design)`);
  return checks;
}

async function jobChecks(db: Database): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (name: string, status: CheckStatus, detail: string) => checks.push({ group: 'jobs', name, status, detail });
  const { rows: [jobs] } = await db.owner.query<{ oldest: number | null; due: number; dead: number; running_expired: number }>(`
    select extract(epoch from now() - min(run_at) filter (where status = 'pending' and run_at <= now()))::float8 as oldest,
           count(*) filter (where status = 'pending' and run_at <= now())::int as due,
           count(*) filter (where status = 'dead')::int as dead,
           count(*) filter (where status = 'running' and lease_until < now() - interval '1 minute')::int as running_expired
    from jobs`);
  const oldest = Math.max(0, jobs.oldest ?? 0);
  add('workers', oldest > 300 ? 'fail' : oldest > 60 ? 'warn' : 'ok', oldest > 60
    ? `${jobs.due} due job(s), the oldest waiting ${Math.round(oldest)} s: are worker processes running (atrium start --role worker)?`
    : `${jobs.due} due job(s)${jobs.due ? `, the oldest waiting ${Math.round(oldest)} s` : ''}`);
  add('dead letters', jobs.dead ? 'warn' : 'ok', jobs.dead ? `${jobs.dead} dead job(s): see \`atrium jobs list\` (retry or cancel each)` : 'none');
  if (jobs.running_expired) add('leases', 'warn', `${jobs.running_expired} running job(s) past their lease by a minute: a worker died; they are reclaimed when a worker runs`);
  const { rows: [late] } = await db.owner.query<{ n: number; worst: number | null }>(`
    select count(*)::int as n, extract(epoch from now() - min(next_run_at))::float8 as worst
    from job_schedules where is_enabled and next_run_at < now() - interval '5 minutes'`);
  add('schedules', late.n ? 'warn' : 'ok', late.n ? `${late.n} cron schedule(s) overdue, the worst by ${Math.round(late.worst ?? 0)} s: no worker is ticking them` : 'no schedule overdue');
  return checks;
}

async function clockCheck(db: Database): Promise<Check> {
  const before = Date.now();
  const { rows: [{ ms }] } = await db.owner.query<{ ms: number }>(`select (extract(epoch from clock_timestamp()) * 1000)::float8 as ms`);
  const after = Date.now();
  const skew = ms - (before + after) / 2;
  const abs = Math.abs(skew);
  const status: CheckStatus = abs > 30_000 ? 'fail' : abs > 2_000 ? 'warn' : 'ok';
  return {
    group: 'clock', name: 'skew', status,
    detail: `this machine is ${abs < 1 ? 'in step with' : `${Math.round(abs)} ms ${skew > 0 ? 'behind' : 'ahead of'}`} the database${status === 'ok' ? '' : ': tokens expire, cron fires and leases end by the database\'s clock; run NTP on both'}`,
  };
}

/** Every check; the database ones on `db` (owner pool, read only). */
export async function runPreflight(config: Config, env: Record<string, string | undefined>, db: Database, options: { migrationsDir?: string } = {}): Promise<PreflightReport> {
  const checks = [...configurationChecks(config, env), await mailCheck(config)];
  try {
    checks.push(...await databaseChecks(db, options.migrationsDir));
    if (!checks.some((c) => c.group === 'database' && c.name === 'migrations' && c.status === 'fail')) checks.push(...await jobChecks(db));
    checks.push(await clockCheck(db));
  } catch (err) {
    checks.push({ group: 'database', name: 'connection', status: 'fail', detail: `the database could not be read: ${(err as Error).message}` });
  }
  const counts = { ok: 0, warn: 0, fail: 0 };
  for (const c of checks) counts[c.status]++;
  return { isOk: counts.fail === 0, counts, checks };
}
