// The only ways code reaches the database. Request code gets a handle through
// withWorkspace (RLS bound to one workspace) or withIdentity (global identity tables, no
// workspace). Platform-admin code uses withPlatform, a separate and explicit path.
import type pg from 'pg';
import type { Pool, PoolClient } from './pool.ts';

export type Tx = Pick<PoolClient, 'query'>;

export type Database = {
  /** Pool of the request role (atrium_app). */
  readonly app: Pool;
  /** Pool of the migration owner; used for migrations and the platform path only. */
  readonly owner: Pool;
  withWorkspace<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  withIdentity<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  withPlatform<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

async function inTransaction<T>(pool: Pool, beginSql: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    await client.query(beginSql);
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (err) {
    try {
      await client.query('rollback');
    } catch {
      isBroken = true;
    }
    throw err;
  } finally {
    client.release(isBroken);
  }
}

export function createDatabase(app: Pool, owner: Pool): Database {
  return {
    app,
    owner,
    withWorkspace(workspaceId, fn) {
      if (!UUID.test(workspaceId)) throw new Error('withWorkspace: workspace id is not a uuid');
      // One round trip: begin and bind. set_config(..., true) is transaction-local, so a pooled
      // connection never carries the binding into the next transaction. The id is inlined only
      // after the uuid check above.
      return inTransaction(app, `begin; select set_config('app.workspace_id', '${workspaceId.toLowerCase()}', true)`, fn);
    },
    withIdentity(fn) {
      return inTransaction(app, 'begin', fn);
    },
    withPlatform(fn) {
      return inTransaction(owner, 'begin; set local role atrium_platform', fn);
    },
    async close() {
      await Promise.allSettled([app.end(), owner === app ? Promise.resolve() : owner.end()]);
    },
  };
}

export type { pg };
