// Applying a migration to a workspace's data schema: the operations compiled to DDL, run as the
// workspace's data role in one transaction with the record of the migration, the version bump that
// tells every API process to rebuild its view of the schema, and the audit event. All or nothing:
// a refused statement leaves the schema as it was and names the operation that failed.
import { createHash } from 'node:crypto';
import type { Database, Tx } from '../../kernel/db/database.ts';
import { dataSwitchStatement } from '../../kernel/db/database.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { dataErrors } from './data.errors.ts';
import { compileOperations, DdlRefusal } from './ddl.ts';
import type { Operation } from './ddl.ts';
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

/** The DDL of the operations, or the 422 that says why they cannot mean anything. */
function compile(operations: readonly Operation[]): string[] {
  try {
    return compileOperations(operations);
  } catch (err) {
    if (err instanceof DdlRefusal) throw dataErrors.create('DATA_MIGRATION_INVALID', err.message);
    throw err;
  }
}

export async function applyMigration(
  deps: { db: Database; audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null },
  input: { name?: string; operations: Operation[]; expectedVersion?: number },
): Promise<{ migration: MigrationRow; catalog: Catalog }> {
  const statements = compile(input.operations);
  return deps.db.withWorkspace(caller.workspaceId, (tx) => applyCompiled(tx, deps, audit, caller, input, statements));
}

/** A migration in the caller's transaction (an import applies several, then rows, all or none). */
export async function applyMigrationIn(
  tx: Tx, deps: { audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null }, input: { name?: string; operations: Operation[] },
): Promise<{ migration: MigrationRow; catalog: Catalog }> {
  return applyCompiled(tx, deps, audit, caller, input, compile(input.operations));
}

async function applyCompiled(
  tx: Tx, deps: { audit: Pick<AuditModule, 'record'> }, audit: AuditContext,
  caller: { workspaceId: string; userId: string | null }, input: { name?: string; operations: Operation[]; expectedVersion?: number }, statements: string[],
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
          const op = input.operations[Math.min(i, input.operations.length - 1)];
          throw dataErrors.create('DATA_MIGRATION_INVALID', `${(err as Error).message} (statement ${i + 1}: ${statement.split('\n')[0].slice(0, 120)}; operations: ${op?.op ?? ''})`, { extra: { statement: i + 1, sqlState: code } });
        }
        throw err;
      }
    }
    const catalog = await readCatalog(tx);
    if (catalog.tables.length > SCHEMA_LIMITS.tables) throw dataErrors.create('DATA_SCHEMA_LIMIT', `A workspace holds ${SCHEMA_LIMITS.tables} tables at most`, { extra: { limit: SCHEMA_LIMITS.tables } });
    const wide = catalog.tables.find((t) => t.columns.length > SCHEMA_LIMITS.columns);
    if (wide) throw dataErrors.create('DATA_SCHEMA_LIMIT', `Table ${wide.name} would have ${wide.columns.length} columns; ${SCHEMA_LIMITS.columns} at most`, { extra: { limit: SCHEMA_LIMITS.columns } });
    await tx.query('set local role none; set local search_path to default');
    const sql = statements.join(';\n');
    const name = input.name ?? describe(input.operations);
    const checksum = createHash('sha256').update(sql).digest('hex');
    const [{ rows }] = await Promise.all([
      tx.query<MigrationRow>(
        `insert into data_migrations (workspace_id, version, name, operations, statements, checksum, applied_by) values ($1, $2, $3, $4, $5, $6, $7)
         returning version, name, operations, statements, checksum, applied_by, applied_at`,
        [workspaceId, version + 1, name, JSON.stringify(input.operations), sql, checksum, caller.userId]),
      tx.query('update data_schemas set version = $2, shape_hash = $3, shape_version = $2, updated_at = now() where workspace_id = $1', [workspaceId, version + 1, modelOf(catalog).hash]),
      tx.query("select pg_notify('atrium_data_schema', $1)", [workspaceId]),
      deps.audit.record(tx, audit, {
        workspaceId, action: 'data.migration_applied', targetType: 'data_schema', targetId: workspaceId,
        diff: { before: { version }, after: { version: version + 1, name, operations: input.operations.map((o) => o.op) } },
      }),
    ]);
    return { migration: rows[0], catalog };
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
