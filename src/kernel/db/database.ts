// The only ways code reaches the database. Request code gets a handle through
// withWorkspace (RLS bound to one workspace) or withIdentity (global identity tables, no
// workspace). Platform-admin code uses withPlatform, a separate and explicit path.
//
// Pools run in pg's pipeline mode, and the opening statements (begin, the workspace binding)
// are written in one packet with the transaction's first query: a tenant transaction costs
// the same round trips as the bare query plus the commit (docs/adr/0006). Later statements sent
// together (a Promise.all of writes and their audit event) share a packet too: one write
// system call instead of one per statement. Later statements sent
// together (a Promise.all of writes and their audit event) share a packet too: one write
// system call instead of one per statement.
import type pg from 'pg';
import type { Pool, PoolClient } from './pool.ts';

export type Tx = Pick<PoolClient, 'query'>;

export type Database = {
  /** Pool of the request role (atrium_app). */
  readonly app: Pool;
  /** Pool of the migration owner; used for migrations and the platform path only. */
  readonly owner: Pool;
  withWorkspace<T>(workspaceId: string, fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** One read statement bound to a workspace, in a single round trip (begin … commit). */
  readInWorkspace<R extends pg.QueryResultRow>(workspaceId: string, query: ReadQuery): Promise<R[]>;
  /**
   * A tenant transaction switched to the workspace's data role and schema (the data API): the
   * workspace binding, then `probe` (run as the request role, before the switch: the module's
   * own bookkeeping), then role, search_path, the caller and a statement timeout, all
   * transaction-local. `fn` starts at once, in the same packet, with the probe's rows to come
   * (a caller that guessed them right loses no round trip waiting).
   */
  withWorkspaceSchema<T, P extends pg.QueryResultRow = pg.QueryResultRow>(workspaceId: string, session: DataSession, fn: (tx: Tx, probe: Promise<P[]>) => Promise<T>, probe?: ReadQuery): Promise<T>;
  withIdentity<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  withPlatform<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /**
   * The owner role's URL straight to PostgreSQL, for what needs a connection of its own:
   * LISTEN, session advisory locks (migrations), backups. The owner pool's URL unless a pooler
   * stands in between (DATABASE_DIRECT_URL).
   */
  readonly directUrl: string;
  /** `transaction`: the pools go through a transaction-pooling PgBouncer (nothing session-scoped). */
  readonly pooler: 'none' | 'transaction';
  close(): Promise<void>;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Who runs a data-API transaction, as its row rules see it (current_setting('app.user_id'), 'app.roles'). */
export type DataSession = { userId: string | null; roles: readonly string[]; statementTimeoutMs: number };

/** The data schema and role of a workspace: derived from its id, never from input (migration 0033). */
export function dataSchemaOf(workspaceId: string): { schema: string; role: string } {
  if (!UUID.test(workspaceId)) throw new Error('dataSchemaOf: workspace id is not a uuid');
  const hex = workspaceId.toLowerCase().replace(/-/g, '');
  return { schema: `ws_${hex}`, role: `atrium_ws_${hex}` };
}

/** The switch into a workspace's data role and schema, transaction-local (PgBouncer-safe). */
export function dataSwitchStatement(workspaceId: string, session: DataSession): pg.QueryConfig {
  const { schema, role } = dataSchemaOf(workspaceId);
  const timeout = Math.max(100, Math.min(60_000, Math.trunc(session.statementTimeoutMs)));
  return {
    name: 'atrium_data_switch',
    text: "select set_config('search_path', $1, true), set_config('role', $2, true), set_config('app.user_id', $3, true), set_config('app.roles', $4, true), set_config('statement_timeout', $5, true)",
    values: [`"${schema}"`, role, session.userId ?? '', session.roles.join(','), String(timeout)],
  };
}

type Corkable = { cork(): void; uncork(): void };

/**
 * Returns `corkTick`: at the first write of a tick it holds the socket's writes until the
 * tick's promise jobs have run, so every statement queued meanwhile leaves in one packet.
 */
function tickCorker(client: PoolClient): () => void {
  const stream = (client as unknown as { connection?: { stream?: Partial<Corkable> } }).connection?.stream;
  if (!stream?.cork || !stream.uncork) return () => {};
  let isCorked = false;
  return () => {
    if (isCorked) return;
    isCorked = true;
    stream.cork!();
    process.nextTick(() => {
      isCorked = false;
      stream.uncork!();
    });
  };
}

type Statement = string | pg.QueryConfig;

/** A hot read: `name` makes it a prepared statement, parsed and planned once per connection. */
export type ReadQuery = { name?: string; text: string; values: unknown[] };

/**
 * The workspace binding: a named prepared statement, parsed once per connection.
 * set_config(..., true) is transaction-local, so a pooled connection never carries the binding
 * into the next transaction.
 */
function bindingStatement(workspaceId: string): pg.QueryConfig {
  if (!UUID.test(workspaceId)) throw new Error('withWorkspace: workspace id is not a uuid');
  return { name: 'atrium_bind_workspace', text: "select set_config('app.workspace_id', $1, true)", values: [workspaceId] };
}

const preparedByConnection = new WeakMap<object, Set<string>>();
const STATEMENT_NAME = /^[a-z][a-z0-9_]{0,50}$/;

/** A value that can be written into SQL as is: a uuid, a safe integer or null. Nothing else. */
function sqlLiteral(value: unknown): string | undefined {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && UUID.test(value)) return `'${value.toLowerCase()}'`;
  return undefined;
}

/**
 * The whole read as one simple-protocol message, when every parameter is a uuid, an integer or
 * null (checked above; any other value takes the parameterised path). The statement is a
 * server-side prepared statement, so it is parsed and planned once per connection.
 */
function inlineStatement(client: PoolClient, workspaceId: string, name: string, text: string, values: unknown[]): { sql: string; markPrepared: () => void } | null {
  if (!STATEMENT_NAME.test(name)) return null;
  const literals = values.map(sqlLiteral);
  if (literals.some((l) => l === undefined)) return null;
  const prepared = preparedByConnection.get(client) ?? new Set<string>();
  const sqlName = `atrium_${name}`;
  const prepare = prepared.has(name) ? '' : `prepare ${sqlName} as ${text};\n`;
  const args = literals.length ? `(${literals.join(', ')})` : '';
  return {
    sql: `${prepare}begin; select set_config('app.workspace_id', '${workspaceId.toLowerCase()}', true); execute ${sqlName}${args}; commit`,
    markPrepared: () => {
      prepared.add(name);
      preparedByConnection.set(client, prepared);
    },
  };
}

async function inTransaction<T>(pool: Pool, opening: Statement[], fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let isBroken = false;
  try {
    const corkTick = tickCorker(client);
    const tx: Tx = {
      query: ((...args: Parameters<Tx['query']>) => {
        corkTick();
        return (client.query as (...a: unknown[]) => unknown)(...args);
      }) as Tx['query'],
    };
    corkTick();
    const begun = Promise.all(opening.map((statement) => client.query(statement))).then(() => ({ ok: true as const }), (error: unknown) => ({ ok: false as const, error }));
    // fn's first statement is queued behind the opening ones and leaves in the same packet.
    // If an opening statement fails, PostgreSQL aborts the transaction and fn's statements
    // fail too ('begin' comes first, so nothing of fn ever runs outside the transaction).
    // Outcomes are captured at once so an early failure is never an unhandled rejection.
    let running: Promise<T>;
    try {
      running = fn(tx);
    } catch (error) {
      running = Promise.reject(error);
    }
    const work = running.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error }));
    const opened = await begun;
    const outcome = await work;
    if (!opened.ok) throw opened.error;
    if (!outcome.ok) throw outcome.error;
    await client.query('commit');
    return outcome.value;
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

export function createDatabase(app: Pool, owner: Pool, options: { directUrl?: string; pooler?: 'none' | 'transaction' } = {}): Database {
  const pooler = options.pooler ?? 'none';
  const directUrl = options.directUrl ?? (owner.options as { connectionString?: string }).connectionString;
  if (!directUrl) throw new Error('createDatabase: the owner pool has no connection string and no direct URL was given');
  return {
    app,
    owner,
    directUrl,
    pooler,
    withWorkspace(workspaceId, fn) {
      return inTransaction(app, ['begin', bindingStatement(workspaceId)], fn);
    },
    async readInWorkspace<R extends pg.QueryResultRow>(workspaceId: string, query: ReadQuery): Promise<R[]> {
      const binding = bindingStatement(workspaceId);
      const client = await app.connect();
      let isBroken = false;
      try {
        // SQL-level PREPARE is session state: not through a transaction pooler.
        const inline = query.name && pooler === 'none' ? inlineStatement(client, workspaceId, query.name, query.text, query.values) : null;
        if (inline) {
          // One message, one round trip, one flush each way: prepare (first use on this
          // connection), begin, bind, execute, commit. PREPARE is not transactional: after a
          // failure we can't tell whether the statement exists, so the connection is dropped.
          isBroken = true;
          const results = (await client.query(inline.sql)) as unknown as pg.QueryResult<R>[];
          isBroken = false;
          const commit = results[results.length - 1];
          if (commit.command !== 'COMMIT') throw new Error('readInWorkspace: the transaction did not commit');
          inline.markPrepared();
          return results[results.length - 2].rows;
        }
        tickCorker(client)();
        const sent = [client.query('begin'), client.query(binding), client.query<R>(query), client.query('commit')];
        const [, , result, commit] = await Promise.all(sent.map((p) => p.catch((error: unknown) => ({ error }))));
        for (const r of [result, commit]) if (r && typeof r === 'object' && 'error' in r) throw r.error;
        if ((commit as pg.QueryResult).command !== 'COMMIT') throw new Error('readInWorkspace: the transaction did not commit');
        return (result as pg.QueryResult<R>).rows;
      } catch (err) {
        if (!isBroken) await client.query('rollback').catch(() => { isBroken = true; });
        throw err;
      } finally {
        client.release(isBroken);
      }
    },
    withWorkspaceSchema(workspaceId, session, fn, probe) {
      const opening: Statement[] = ['begin', bindingStatement(workspaceId)];
      return inTransaction(app, opening, async (tx) => {
        // The probe, the switch and fn's first statement leave in the opening's packet (the tx
        // corks the tick). A failed switch fails fn's statements too (the transaction is aborted).
        const rows = probe ? tx.query(probe).then((r) => r.rows) : Promise.resolve([]);
        const switched = tx.query(dataSwitchStatement(workspaceId, session));
        rows.catch(() => undefined);
        const [result] = await Promise.all([fn(tx, rows as never), switched]);
        return result;
      });
    },
    withIdentity(fn) {
      return inTransaction(app, ['begin'], fn);
    },
    withPlatform(fn) {
      return inTransaction(owner, ['begin', 'set local role atrium_platform'], fn);
    },
    async close() {
      await Promise.allSettled([app.end(), owner === app ? Promise.resolve() : owner.end()]);
    },
  };
}

export type { pg };
