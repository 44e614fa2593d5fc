// Applying a migration to a workspace's data schema: the operations compiled to DDL, run as the
// workspace's data role in one transaction with the record of the migration, the version bump that
// tells every API process to rebuild its view of the schema, and the audit event. All or nothing:
// a refused statement leaves the schema as it was and names the operation that failed.
import { createHash } from 'node:crypto';
import type { Database, Tx } from '../../kernel/db/database.ts';
import { dataSwitchStatement } from '../../kernel/db/database.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { dataErrors } from './data.errors.ts';
import { changeTriggers, compileOperations, DdlRefusal } from './ddl.ts';
import type { Operation } from './ddl.ts';
import { checkMigrationSql, loadSqlParser, SqlRefusal } from './sql-guard.ts';
import { modelOf, readCatalog } from './model.ts';
import type { Catalog } from './model.ts';

export const SCHEMA_LIMITS = { tables: 200, columns: 200 } as const;

export type MigrationRow = { version: number; name: string; operations: Operation[]; statements: string; checksum: string; applied_by: string | null; applied_at: Date };

export async function provisionDataSchema(tx: Tx): Promise<void> {
  await tx.query('select * from atrium_provision_data_schema()');
}

export async function lockSchema(tx: Tx, workspaceId: string): Promise<number> {
  const read = () => tx.query<{ version: number }>('select version from data_schemas where workspace_id = $1 for update', [workspaceId]);
  let { rows } = await read();
  if (!rows.length) {
    await provisionDataSchema(tx);
    ({ rows } = await read());
  }
  return rows[0].version;
}

/** A migration is operations (the table editor, the API) or SQL a workspace wrote (a project's migration files). */
export type MigrationInput = { name?: string; operations?: Operation[]; sql?: string; expectedVersion?: number };

/** The statements of a migration, or the 422 that says why they cannot mean anything or are refused. */
async function compile(input: MigrationInput): Promise<string[]> {
  if ((input.operations?.length ? 1 : 0) + (input.sql === undefined ? 0 : 1) !== 1) {
    throw dataErrors.create('DATA_MIGRATION_INVALID', 'A migration is either operations or sql: send one of them');
  }
  await loadSqlParser();
  try {
    return input.sql === undefined ? compileOperations(input.operations!) : checkMigrationSql(input.sql);
  } catch (err) {
    if (err instanceof DdlRefusal) throw dataErrors.create('DATA_MIGRATION_INVALID', err.message);
    if (err instanceof SqlRefusal) throw dataErrors.create('DATA_MIGRATION_INVALID', err.message, { extra: { ...(err.statement ? { statement: err.statement } : {}), ...(err.line ? { line: err.line } : {}) } });
    throw err;
  }
}

export async function applyMigration(
  deps: { db: Database; audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null },
  input: MigrationInput,
): Promise<{ migration: MigrationRow; catalog: Catalog }> {
  const statements = await compile(input);
  return deps.db.withWorkspace(caller.workspaceId, (tx) => applyCompiled(tx, deps, audit, caller, input, statements));
}

/** A migration in the caller's transaction (an import applies several, then rows, all or none). */
export async function applyMigrationIn(
  tx: Tx, deps: { audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null }, input: MigrationInput,
): Promise<{ migration: MigrationRow; catalog: Catalog }> {
  return applyCompiled(tx, deps, audit, caller, input, await compile(input));
}

async function applyCompiled(
  tx: Tx, deps: { audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null }, input: MigrationInput, statements: string[],
): Promise<{ migration: MigrationRow; catalog: Catalog }> {
  const { workspaceId } = caller;
  {
    const version = await lockSchema(tx, workspaceId);
    if (input.expectedVersion !== undefined && input.expectedVersion !== version) {
      throw dataErrors.create('DATA_MIGRATION_CONFLICT', `The data schema is at version ${version}, not ${input.expectedVersion}: reload it and try again`, { extra: { version } });
    }
    await tx.query(dataSwitchStatement(workspaceId, { userId: caller.userId, roles: [], statementTimeoutMs: 30_000 }));
    for (const [i, statement] of statements.entries()) {
      try {
        await tx.query(statement);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code && /^(42|22|23|2B|0A|55)/.test(code)) {
          const op = input.operations?.[Math.min(i, input.operations.length - 1)];
          throw dataErrors.create('DATA_MIGRATION_INVALID', `${(err as Error).message} (statement ${i + 1}: ${statement.split('\n')[0].slice(0, 120)}${op ? `; operations: ${op.op}` : ''})`, { extra: { statement: i + 1, sqlState: code } });
        }
        throw err;
      }
    }
    if (input.sql !== undefined) {
      await secondWall(tx);
      // Tables made in SQL get the change signal the compiler gives its own (subscriptions): the
      // guard refuses triggers in a migration, so they are added here, as the data role.
      const { rows: bare } = await tx.query<{ relname: string }>(
        `select c.relname from pg_class c where c.relnamespace = current_schema()::regnamespace and c.relkind = 'r' and not c.relispartition
           and not exists (select 1 from pg_trigger g where g.tgrelid = c.oid and g.tgname = 'atrium_changes_insert')`);
      for (const { relname } of bare) for (const statement of changeTriggers(relname)) await tx.query(statement);
    }
    const catalog = await readCatalog(tx);
    if (catalog.tables.length > SCHEMA_LIMITS.tables) throw dataErrors.create('DATA_SCHEMA_LIMIT', `A workspace holds ${SCHEMA_LIMITS.tables} tables at most`, { extra: { limit: SCHEMA_LIMITS.tables } });
    const wide = catalog.tables.find((t) => t.columns.length > SCHEMA_LIMITS.columns);
    if (wide) throw dataErrors.create('DATA_SCHEMA_LIMIT', `Table ${wide.name} would have ${wide.columns.length} columns; ${SCHEMA_LIMITS.columns} at most`, { extra: { limit: SCHEMA_LIMITS.columns } });
    await tx.query('set local role none; set local search_path to default');
    const sql = statements.join(';\n');
    const operations = input.operations ?? [];
    const name = input.name ?? (operations.length ? describe(operations) : `sql: ${statements[0].split('\n')[0].slice(0, 80)}${statements.length > 1 ? ` and ${statements.length - 1} more` : ''}`);
    const checksum = createHash('sha256').update(sql).digest('hex');
    const [{ rows }] = await Promise.all([
      tx.query<MigrationRow>(
        `insert into data_migrations (workspace_id, version, name, operations, statements, checksum, applied_by) values ($1, $2, $3, $4, $5, $6, $7)
         returning version, name, operations, statements, checksum, applied_by, applied_at`,
        [workspaceId, version + 1, name, JSON.stringify(operations), sql, checksum, caller.userId]),
      tx.query('update data_schemas set version = $2, shape_hash = $3, shape_version = $2, updated_at = now() where workspace_id = $1', [workspaceId, version + 1, modelOf(catalog).hash]),
      tx.query("select pg_notify('atrium_data_schema', $1)", [workspaceId]),
      deps.audit.record(tx, audit, {
        workspaceId, action: 'data.migration_applied', targetType: 'data_schema', targetId: workspaceId,
        diff: { before: { version }, after: { version: version + 1, name, ...(input.sql === undefined ? { operations: operations.map((o) => o.op) } : { sql: { statements: statements.length, checksum } }) } },
      }),
    ]);
    return { migration: rows[0], catalog };
  }
}

/**
 * After a workspace's own SQL ran, and before it commits: the catalog says the data role made
 * nothing outside its schema and no function inside it (the parser refused them; this is the wall
 * behind it, should the parser and the server ever disagree).
 */
async function secondWall(tx: Tx): Promise<void> {
  const { rows: [found] } = await tx.query<{ outside: number; functions: number }>(
    `select (select count(*)::int from pg_class where relowner = current_user::regrole and relnamespace not in (current_schema()::regnamespace, 'pg_toast'::regnamespace))
          + (select count(*)::int from pg_type where typowner = current_user::regrole and typnamespace <> current_schema()::regnamespace) as outside,
            (select count(*)::int from pg_proc where pronamespace = current_schema()::regnamespace) as functions`);
  if (found.outside || found.functions) {
    throw dataErrors.create('DATA_MIGRATION_INVALID', found.functions ? 'The migration made a function: migrations may not' : 'The migration made an object outside the workspace\'s schema');
  }
}

function describe(operations: readonly Operation[]): string {
  const first = operations[0];
  const what = 'table' in first ? `${first.op} ${first.table}` : `${first.op} ${first.name}`;
  return (operations.length > 1 ? `${what} and ${operations.length - 1} more` : what).slice(0, 200);
}

export async function listMigrations(db: Database, workspaceId: string, options: { limit: number; beforeVersion?: number }): Promise<MigrationRow[]> {
  return db.withWorkspace(workspaceId, async (tx) => {
    const { rows } = await tx.query<MigrationRow>(
      `select version, name, operations, statements, checksum, applied_by, applied_at from data_migrations
       where workspace_id = $1 and ($2::int is null or version < $2) order by version desc limit $3`,
      [workspaceId, options.beforeVersion ?? null, options.limit]);
    return rows;
  });
}
