// `atrium data gen|tables`: a workspace's data API from a shell.
//   atrium data gen --out sdk/ [--url <atrium> --token <key> | --workspace <slug>]
// writes the typed TypeScript client and the React hooks (TanStack Query) from the workspace's
// live schema, and warns about what a rerun breaks for code built on the previous one. With --url
// and --token (or ATRIUM_URL / ATRIUM_TOKEN) it asks a running Atrium over HTTP (an API key or a
// user token); with --workspace, the local installation's database (platform path).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { UsageError } from './usage.ts';
import type { SdkSchema } from '../modules/data-api/sdk-gen.ts';

type Source = { url?: string; token?: string; workspace?: string };

async function liveSchema(getConfig: () => Config, options: Source): Promise<SdkSchema> {
  const url = options.url ?? process.env.ATRIUM_URL;
  const token = options.token ?? process.env.ATRIUM_TOKEN;
  if (url && token) {
    const res = await fetch(`${url.replace(/\/$/, '')}/api/v1/data/tables`, { headers: { authorization: `Bearer ${token}` } }).catch((err: Error) => {
      throw new Error(`${url} cannot be reached: ${err.message}`);
    });
    const body = await res.json().catch(() => ({})) as SdkSchema & { detail?: string; title?: string };
    if (!res.ok) throw new Error(`${url} answered ${res.status}: ${body.detail ?? body.title ?? 'no detail'}`);
    return body;
  }
  if (!options.workspace) throw new UsageError('say where the schema is: --url and --token (or ATRIUM_URL, ATRIUM_TOKEN), or --workspace for this installation');
  const { withModules } = await import('./start.command.ts');
  const { readCatalog, tablesOf } = await import('../modules/data-api/index.ts');
  return withModules(getConfig(), async ({ tenancy, data }, db) => {
    const workspace = await db.withPlatform((tx) => tenancy.findWorkspace(tx, options.workspace!));
    if (!workspace) throw new Error(`no workspace with the id or slug "${options.workspace}"`);
    return data.engine.inSchema({ workspaceId: workspace.id, userId: null, roles: ['owner'] }, async (tx, shape, version) => tablesOf(await readCatalog(tx), shape.model, version));
  });
}

export function registerDataCommands(program: Command, getConfig: () => Config): void {
  const data = program.command('data').description('A workspace\'s own tables and their GraphQL API: SDK generation, tables');

  data.command('gen').description('Write the typed client (client.ts, types.ts) and React hooks (hooks.ts, TanStack Query) of a workspace\'s data API')
    .requiredOption('--out <dir>', 'where to write the SDK (created if missing)')
    .option('--url <url>', 'a running Atrium (default ATRIUM_URL)')
    .option('--token <token>', 'an API key or user token of the workspace (default ATRIUM_TOKEN)')
    .option('--workspace <slug-or-id>', 'read the schema from this installation\'s database instead')
    .option('--json', 'print what was written as JSON')
    .action(async (options: Source & { out: string; json?: boolean }) => {
      const { breakingChanges, generateSdk } = await import('../modules/data-api/sdk-gen.ts');
      const schema = await liveSchema(getConfig, options);
      const out = path.resolve(options.out);
      const previousFile = path.join(out, 'schema.json');
      let breaking: string[] = [];
      if (existsSync(previousFile)) {
        try {
          breaking = breakingChanges(JSON.parse(readFileSync(previousFile, 'utf8')) as SdkSchema, schema);
        } catch {
          breaking = [`${previousFile} could not be read: no comparison`];
        }
      }
      const files = generateSdk(schema);
      mkdirSync(out, { recursive: true });
      for (const [name, text] of Object.entries(files)) writeFileSync(path.join(out, name), text);
      const tables = schema.tables.filter((t) => t.typeName).map((t) => t.name);
      if (options.json) return void console.log(JSON.stringify({ out, files: Object.keys(files), tables, schemaVersion: schema.version, breaking }, null, 2));
      for (const change of breaking) console.error(`warning: breaking change: ${change}`);
      console.log(`wrote ${Object.keys(files).join(', ')} to ${path.relative(process.cwd(), out) || '.'} (${tables.length} table(s): ${tables.join(', ') || 'none yet'}; schema version ${schema.version})`);
      if (breaking.length) console.log(`${breaking.length} breaking change(s) since the last generation: code using them no longer compiles.`);
    });

  data.command('tables').description('The workspace\'s tables, their GraphQL names and row rules')
    .option('--url <url>', 'a running Atrium (default ATRIUM_URL)')
    .option('--token <token>', 'an API key or user token of the workspace (default ATRIUM_TOKEN)')
    .option('--workspace <slug-or-id>', 'read the schema from this installation\'s database instead')
    .option('--json', 'print JSON')
    .action(async (options: Source & { json?: boolean }) => {
      const schema = await liveSchema(getConfig, options) as SdkSchema & { tables: Array<{ rowRule?: string }> };
      if (options.json) return void console.log(JSON.stringify(schema, null, 2));
      if (!schema.tables.length) return void console.log('No tables yet: create one in the console (Data) or with POST /api/v1/data/migrations.');
      const { formatTable } = await import('./workspace.command.ts');
      console.log(formatTable(['TABLE', 'GRAPHQL TYPE', 'LIST FIELD', 'COLUMNS', 'ROW RULE'],
        schema.tables.map((t) => [t.name, t.typeName ?? '(left out)', t.listField ?? '-', String(t.columns.length), (t as { rowRule?: string }).rowRule ?? 'none'])));
    });
}
