// Database roles. The migration owner (the DATABASE_URL login) owns the schema. Requests run
// as atrium_app: LOGIN, owns nothing, not superuser, no BYPASSRLS. atrium_platform is a
// NOLOGIN role with a policy granting it every row; only the owner is a member of it, so the
// platform-admin path (owner pool + SET LOCAL ROLE atrium_platform) is the one way across
// workspaces, and request code connected as atrium_app cannot switch to it.
import { createHmac } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from './sql-quote.ts';

export function deriveAppPassword(secret: string): string {
  return createHmac('sha256', secret).update('atrium:db:atrium_app').digest('base64url');
}

/**
 * Roles belong to the whole cluster, not to one database: processes migrating different
 * databases of one server (tests, several installations) can race on the same role row
 * ("tuple concurrently updated"). The statements are idempotent, so they are retried.
 */
export async function ensureRoles(client: pg.PoolClient | pg.Client, appPassword: string | undefined): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await ensureRolesOnce(client, appPassword);
    } catch (err) {
      const isRace = /tuple concurrently (updated|deleted)|already exists/.test((err as Error).message);
      if (!isRace || attempt >= 8) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 50));
    }
  }
}

async function ensureRolesOnce(client: pg.PoolClient | pg.Client, appPassword: string | undefined): Promise<void> {
  const { rows } = await client.query<{ rolname: string }>(
    `select rolname from pg_roles where rolname in ('atrium_app', 'atrium_platform')`,
  );
  const existing = new Set(rows.map((r) => r.rolname));
  if (!existing.has('atrium_app')) {
    await client.query('create role atrium_app login nosuperuser nobypassrls nocreatedb nocreaterole noinherit');
  }
  if (!existing.has('atrium_platform')) {
    await client.query('create role atrium_platform nologin nosuperuser nocreatedb nocreaterole');
  }
  // A request's statement never runs longer than 30 s, nor a transaction sits idle over 60 s
  // (a stuck query or a leaked transaction would otherwise hold a pooled connection, and with
  // enough of them every workspace waits). Role settings, not session ones: PgBouncer-safe.
  await client.query(`alter role atrium_app set statement_timeout = '30s'`);
  await client.query(`alter role atrium_app set idle_in_transaction_session_timeout = '60s'`);
  // Keep the password in step with ATRIUM_SECRET (it is derived, never stored).
  if (appPassword !== undefined) {
    await client.query(`alter role atrium_app password ${quoteLiteral(appPassword)}`);
  }
  const me = await client.query<{ u: string }>('select current_user as u');
  await client.query(`grant atrium_platform to ${quoteIdent(me.rows[0].u)}`).catch(() => undefined);
}
