// `atrium tenant create|list|delete` (brief 003): a tenant is a workspace with its data schema.
// `create` makes both and prints an API key (shown once) and the GraphQL endpoint, so the first
// query can follow at once; `delete` asks before it soft-deletes (the data schema is dropped after
// the 30-day grace period). `atrium init <dir>` scaffolds a project that `atrium data migrate`
// and `atrium data gen` then use.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import type { WriteStream } from 'node:fs';
import type { Config } from '../kernel/config.ts';
import type { ExportHeader } from '../modules/data-api/export-import.ts';
import { UsageError } from './usage.ts';
import { withModules, withPlatformReads } from './runtime.ts';
import { formatTable, parseSlug } from './workspace.command.ts';

const CLI = { userId: null, via: 'cli' } as const;

export function registerTenantCommands(program: Command, getConfig: () => Config): void {
  const tenant = program.command('tenant').description('Tenants: a workspace and its data schema (create prints an API key and the GraphQL endpoint)')
    .action(() => {
      throw new UsageError('missing subcommand: create, list or delete (see atrium tenant --help)');
    });

  tenant.command('create').description('Create a workspace, its data schema and an API key (shown once)')
    .argument('<slug>', 'unique slug: lowercase letters, digits and inner hyphens', parseSlug)
    .option('--name <name>', 'display name (default: the slug)')
    .addOption(new Option('--plan <plan>', 'plan').choices(['free', 'pro', 'enterprise']).default('free'))
    .option('--owner-email <email>', 'an existing user who becomes the owner')
    .option('--json', 'print JSON (workspace, key, endpoint)')
    .action(async (slug: string, options: { name?: string; plan: 'free' | 'pro' | 'enterprise'; ownerEmail?: string; json?: boolean }) => {
      const config = getConfig();
      const result = await withModules(config, async ({ admin, data, identity }, db) => {
        const workspace = await admin.createWorkspace({ name: options.name ?? slug, slug, plan: options.plan, ownerEmail: options.ownerEmail }, CLI);
        await db.withWorkspace(workspace.id, (tx) => data.provisionSchema(tx));
        const { auditContextOfAdmin } = await import('../modules/admin/admin-audit.ts');
        const key = await identity.issuePlatformKey(workspace.id, { name: 'atrium tenant create', role: 'admin' }, auditContextOfAdmin(CLI));
        return { workspace: { id: workspace.id, slug: workspace.slug, name: workspace.name, plan: workspace.plan }, apiKey: key.key, apiKeyId: key.id };
      });
      const endpoint = `${config.publicUrl}/api/v1/data/graphql`;
      if (options.json) return void console.log(JSON.stringify({ ...result, graphqlUrl: endpoint }, null, 2));
      console.log(`Created tenant ${result.workspace.slug} (${result.workspace.id}) with its data schema.`);
      console.log(`API key (shown once, role admin): ${result.apiKey}`);
      console.log(`GraphQL: ${endpoint}`);
      console.log(`Try:  curl -s ${endpoint} -H "authorization: Bearer ${result.apiKey}" -H 'content-type: application/json' -d '{"query":"{ _empty }"}'`);
    });

  tenant.command('list').description('Tenants (workspaces) with their data schema: tables and version')
    .option('--json', 'print a JSON array')
    .action(async (options: { json?: boolean }) => {
      const { selectTenants } = await import('../modules/data-api/tenants.store.ts');
      const rows = await withPlatformReads(getConfig(), (db) => db.withPlatform((tx) => selectTenants(tx)));
      const list = rows.map((r) => ({ id: r.id, slug: r.slug, name: r.name, status: r.status, dataSchemaVersion: r.version, tables: r.tables, createdAt: r.created_at.toISOString() }));
      if (options.json) return void console.log(JSON.stringify(list, null, 2));
      if (!list.length) return void console.log('No tenants yet. Create one with: atrium tenant create <slug>');
      console.log(formatTable(['ID', 'SLUG', 'NAME', 'STATUS', 'TABLES', 'SCHEMA VERSION', 'CREATED'],
        list.map((t) => [t.id, t.slug, t.name, t.status, String(t.tables), t.dataSchemaVersion === null ? '(on first use)' : String(t.dataSchemaVersion), t.createdAt.slice(0, 19).replace('T', ' ')])));
    });

  tenant.command('delete').description('Soft-delete a tenant: access refused at once, its data schema dropped after 30 days (restorable until then)')
    .argument('<id-or-slug>', 'the workspace id or slug')
    .option('--yes', 'do not ask')
    .option('--json', 'print JSON')
    .action(async (idOrSlug: string, options: { yes?: boolean; json?: boolean }) => {
      if (!options.yes) {
        if (!process.stdin.isTTY) throw new UsageError('deleting a tenant needs --yes when not on a terminal');
        const rl = createInterface({ input: process.stdin, output: process.stderr });
        const answer = await rl.question(`Delete tenant ${idOrSlug}? Its API stops answering at once; its data is dropped in 30 days. Type the slug to confirm: `);
        rl.close();
        if (answer.trim() !== idOrSlug) throw new UsageError('not confirmed: nothing deleted');
      }
      const change = await withModules(getConfig(), ({ admin }) => admin.changeWorkspaceStatus(idOrSlug, 'deleted', CLI, { reason: 'deleted from the CLI (atrium tenant delete)' }));
      if (options.json) return void console.log(JSON.stringify(change.workspace, null, 2));
      console.log(change.isChanged ? `Deleted tenant ${change.workspace.slug}; its data schema is dropped after 30 days.` : `Tenant ${change.workspace.slug} was already deleted.`);
    });

  tenant.command('export').description('Write a tenant\'s data as JSON Lines: the migrations that made its tables, then every row')
    .argument('<id-or-slug>', 'the workspace id or slug')
    .option('--out <file>', 'where to write (default: stdout)')
    .action(async (idOrSlug: string, options: { out?: string }) => {
      const { createWriteStream } = await import('node:fs');
      const out = options.out ? createWriteStream(options.out) : process.stdout;
      const write = (line: string) => new Promise<void>((resolve, reject) => {
        if (out.write(`${line}\n`)) resolve();
        else out.once('drain', resolve).once('error', reject);
      });
      const result = await withModules(getConfig(), async ({ tenancy, data }, db) => {
        const workspace = await db.withPlatform((tx) => tenancy.findWorkspace(tx, idOrSlug));
        if (!workspace) throw new Error(`no workspace with the id or slug "${idOrSlug}"`);
        return data.exportData(workspace.id, write);
      });
      if (options.out) {
        await new Promise((resolve) => (out as WriteStream).end(resolve));
        const total = Object.values(result.rows).reduce((a, b) => a + b, 0);
        console.error(`wrote ${options.out}: ${result.migrations.length} migration(s), ${Object.keys(result.rows).length} table(s), ${total.toLocaleString('en-US')} row(s)`);
      }
    });

  tenant.command('import').description('Load a tenant export into a tenant with no tables yet: its migrations, then its rows')
    .argument('<id-or-slug>', 'the workspace id or slug (its data schema must be empty)')
    .requiredOption('--in <file>', 'the export (JSON Lines)')
    .option('--json', 'print JSON')
    .action(async (idOrSlug: string, options: { in: string; json?: boolean }) => {
      const { createReadStream } = await import('node:fs');
      const { createInterface: lines } = await import('node:readline');
      const reader = lines({ input: createReadStream(options.in), crlfDelay: Infinity });
      const iterator = reader[Symbol.asyncIterator]();
      const first = await iterator.next();
      if (first.done) throw new UsageError(`${options.in} is empty`);
      let header: ExportHeader;
      try {
        header = JSON.parse(first.value);
      } catch {
        throw new UsageError(`${options.in} does not start with an export header`);
      }
      let ended = false;
      const rows = (async function* () {
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
          if (!next.value.trim()) continue;
          const line = JSON.parse(next.value) as { table?: string; row?: Record<string, unknown>; end?: boolean };
          if (line.end) { ended = true; continue; }
          if (typeof line.table !== 'string' || !line.row) throw new UsageError(`${options.in}: a line is neither a row nor the end`);
          yield { table: line.table, row: line.row };
        }
      })();
      const result = await withModules(getConfig(), async ({ tenancy, data }, db) => {
        const workspace = await db.withPlatform((tx) => tenancy.findWorkspace(tx, idOrSlug));
        if (!workspace) throw new Error(`no workspace with the id or slug "${idOrSlug}"`);
        const { auditContextOfAdmin } = await import('../modules/admin/admin-audit.ts');
        return data.importData(auditContextOfAdmin(CLI), workspace.id, header, rows);
      });
      if (!ended) console.error(`warning: ${options.in} has no end line: the export may have been cut short`);
      if (options.json) return void console.log(JSON.stringify(result, null, 2));
      console.log(`Imported ${result.migrations} migration(s) and ${Object.values(result.rows).reduce((a, b) => a + b, 0).toLocaleString('en-US')} row(s) into ${idOrSlug} (${Object.entries(result.rows).map(([t, n]) => `${t} ${n}`).join(', ') || 'no rows'}).`);
    });

  program.command('init').description('Scaffold a project: atrium.config.json, .env.example, README, migrations/')
    .argument('<dir>', 'the project folder (created if missing)')
    .option('--force', 'write into a folder that is not empty')
    .action((dir: string, options: { force?: boolean }) => {
      const root = path.resolve(dir);
      if (existsSync(root) && readdirSync(root).length > 0 && !options.force) throw new UsageError(`${dir} is not empty (use --force to write into it anyway)`);
      mkdirSync(path.join(root, 'migrations'), { recursive: true });
      const name = path.basename(root).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '') || 'my-app';
      const files: Record<string, string> = {
        'atrium.config.json': `${JSON.stringify({ url: 'http://localhost:3000', tenant: name, migrations: 'migrations', sdk: 'src/atrium' }, null, 2)}\n`,
        '.env.example': '# The Atrium to talk to, and an API key of your tenant (atrium tenant create prints one).\nATRIUM_URL=http://localhost:3000\nATRIUM_TOKEN=atr_…\n',
        'migrations/001_create_tasks.sql': `-- Your tenant's first table. Migrations run in name order, each once, in one transaction;
-- tables live in your tenant's own schema (no schema names), and GraphQL shows them camelCased.
create table tasks (
  id uuid primary key default gen_random_uuid(),
  title text not null,
  done boolean not null default false,
  created_at timestamptz not null default now()
);
`,
        'README.md': `# ${name}

An app on Atrium's data API: your tables in your tenant's own schema, a GraphQL API generated from them.

\`\`\`sh
npx atrium tenant create ${name}        # on the Atrium host: prints an API key and the GraphQL URL
cp .env.example .env                     # put the key in ATRIUM_TOKEN
npx atrium data migrate                  # applies migrations/*.sql and *.json not applied yet, in name order
npx atrium data gen --out src/atrium     # typed client + React hooks (useTasks, useCreateTask…)
\`\`\`

A migration is a SQL file (tables, indexes, views, enums, comments, row-level security policies
and seed rows, in your tenant's schema: no schema names, roles, extensions, functions or triggers;
the server checks it with PostgreSQL's parser and runs it in one transaction), or a JSON file of
operations (create_table, add_column, create_index, set_row_rule…: what the console's table
editor sends; the reference is at /docs on your Atrium, POST /api/v1/data/migrations). Then:

\`\`\`ts
import { createClient } from './src/atrium/index.ts';
const atrium = createClient({ url: process.env.ATRIUM_URL!, token: process.env.ATRIUM_TOKEN! });
await atrium.createTask({ title: 'Ship it' });
console.log(await atrium.tasks({ filter: { done: { eq: false } }, first: 10 }));
\`\`\`
`,
        '.gitignore': '.env\nnode_modules/\n',
      };
      for (const [file, text] of Object.entries(files)) {
        if (existsSync(path.join(root, file)) && !options.force) continue;
        writeFileSync(path.join(root, file), text);
      }
      console.log(`Created ${path.relative(process.cwd(), root) || '.'}: ${Object.keys(files).join(', ')}`);
      console.log('Next: atrium tenant create, then atrium data migrate and atrium data gen (see its README).');
    });
}
