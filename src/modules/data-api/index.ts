// The data-api module's door (issue 14, brief 003): every workspace's own PostgreSQL schema for its
// own tables, migrations applied to it, and the GraphQL API generated from it (one executable
// schema per shape of tables, shared by every workspace with that shape). Owns data_schemas,
// data_migrations and the per-workspace schemas and roles (ws_<id>, atrium_ws_<id>).
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Tx } from '../../kernel/db/database.ts';
import type { AuditModule } from '../audit/index.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import { definePurgeJob, purgeDeletedSchemas, schedulePurge } from './purge-schemas.job.ts';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../../kernel/http/principal.ts';
import { createGraphqlEngine } from './engine.ts';
import { createSubscriptions } from './subscriptions.ts';
import { dataRoutes } from './data.routes.ts';
import type { DataReports } from './data.routes.ts';
import { provisionDataSchema } from './migrations.ts';
import { selectTenants } from './tenants.store.ts';
import { exportData, importData } from './export-import.ts';
import type { ExportHeader, ExportLine } from './export-import.ts';
import type { AuditContext } from '../audit/index.ts';

export { dataErrors } from './data.errors.ts';
export { DATA_ROWS_SETTING, DATA_TIMEOUT_SETTING } from './engine.ts';
export { tablesOf } from './tables.ts';
export { readCatalog } from './model.ts';

export function createDataApiModule(deps: KernelDeps, modules: { audit: Pick<AuditModule, 'record'>; jobs: JobEngine; authenticate(request: FastifyRequest): Promise<Principal | null>; reports: DataReports }) {
  definePurgeJob(modules.jobs, deps.db, modules.audit, deps.log);
  const provision = async (workspaceId: string): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await deps.db.withWorkspace(workspaceId, (tx) => provisionDataSchema(tx));
      } catch (err) {
        // Two first requests of one workspace at once: the other made the role; its row is there now.
        const raced = ['23505', '42710', 'XX000'].includes((err as { code?: string }).code ?? '') || /concurrently/.test((err as Error).message);
        if (!raced || attempt >= 3) throw err;
      }
    }
  };
  const engine = createGraphqlEngine({ db: deps.db, log: deps.log, provision });
  const subscriptions = createSubscriptions({ db: deps.db, log: deps.log, engine, authenticate: modules.authenticate });
  return {
    engine,
    subscriptions,
    /** Every live workspace with its data schema's version and table count (platform path: `atrium tenant list`). */
    listTenants: () => deps.db.withPlatform((tx) => selectTenants(tx)),
    /** A workspace's data as JSON Lines (`atrium tenant export`): its migrations, then its rows. */
    exportData: (workspaceId: string, write: (line: string) => void | Promise<void>) => exportData(deps.db, workspaceId, write),
    /** Into a workspace with no tables (`atrium tenant import`): the migrations, then the rows. */
    importData: (audit: AuditContext, workspaceId: string, header: ExportHeader, rows: AsyncIterable<ExportLine> | Iterable<ExportLine>) => importData({ db: deps.db, audit: modules.audit }, audit, workspaceId, header, rows),
    /**
     * Its part of a full backup (kernel/backup.ts): the tables it rebuilds itself on restore, every
     * workspace with a migrated data schema (deleted ones in their grace period too), each one's export.
     */
    backup: {
      ownTables: ['data_schemas', 'data_migrations'],
      workspaces: () => deps.db.withPlatform(async (tx) => (await tx.query<{ workspace_id: string }>('select workspace_id from data_schemas where version > 0 order by workspace_id')).rows.map((r) => r.workspace_id)),
      export: (workspaceId: string, write: (line: string) => Promise<void>) => exportData(deps.db, workspaceId, write).then(() => undefined),
    },
    /** A workspace's export lines from a backup, into the restored database (its schema made again by its migrations). */
    async restoreData(audit: AuditContext, workspaceId: string, lines: string[]): Promise<void> {
      const [first, ...rest] = lines.filter((l) => l.trim());
      const header = JSON.parse(first) as ExportHeader;
      const rows = rest.map((l) => JSON.parse(l) as ExportLine & { end?: boolean }).filter((l) => !l.end);
      await importData({ db: deps.db, audit: modules.audit }, audit, workspaceId, header, rows);
    },
    /** The daily purge of deleted workspaces' data schemas (after the grace period). */
    installSchedules: (tx: Tx) => schedulePurge(modules.jobs, tx),
    purgeDeleted: (options: { now?: Date; graceDays?: number } = {}) => purgeDeletedSchemas(deps.db, modules.audit, options),
    /** The signup step: the new workspace's data schema and role, in the signup transaction. */
    provisionSchema: (tx: Tx) => provisionDataSchema(tx),
    routes: (async (app) => {
      await app.register(dataRoutes({ db: deps.db, audit: modules.audit, engine, reports: modules.reports }));
      // Subscriptions: WebSocket upgrades of the same path (graphql-ws), closed with the server.
      subscriptions.attach(app.server);
      app.addHook('onClose', async () => subscriptions.close());
    }) satisfies RoutePlugin,
  };
}

export type DataApiModule = ReturnType<typeof createDataApiModule>;
