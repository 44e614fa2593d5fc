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

  data.command('migrate').description('Apply the project\'s migrations (migrations/*.sql and *.json, in name order) that the workspace has not applied yet')
    .option('--dir <dir>', 'the migrations folder (default: atrium.config.json\'s, or migrations/)')
    .option('--url <url>', 'a running Atrium (default ATRIUM_URL, or atrium.config.json\'s url)')
    .option('--token <token>', 'an API key or user token of the workspace, with data_schema.manage (default ATRIUM_TOKEN)')
    .option('--json', 'print what was applied as JSON')
    .action(async (options: { dir?: string; url?: string; token?: string; json?: boolean }) => {
      const project = existsSync('atrium.config.json') ? JSON.parse(readFileSync('atrium.config.json', 'utf8')) as { url?: string; migrations?: string } : {};
      const url = (options.url ?? process.env.ATRIUM_URL ?? project.url)?.replace(/\/$/, '');
      const token = options.token ?? process.env.ATRIUM_TOKEN;
      if (!url || !token) throw new UsageError('say where to apply: --url and --token (or ATRIUM_URL, ATRIUM_TOKEN)');
      const dir = path.resolve(options.dir ?? project.migrations ?? 'migrations');
      if (!existsSync(dir)) throw new UsageError(`no migrations folder at ${dir}`);
      const files = (await import('node:fs')).readdirSync(dir).filter((f) => /\.(json|sql)$/.test(f)).sort();
      const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const call = async (method: string, route: string, body?: unknown) => {
        const res = await fetch(`${url}/api/v1${route}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) }).catch((err: Error) => {
          throw new Error(`${url} cannot be reached: ${err.message}`);
        });
        const json = await res.json().catch(() => ({})) as Record<string, unknown>;
        return { status: res.status, json };
      };
      const applied = new Set<string>();
      for (let before: number | undefined; ;) {
        const page = await call('GET', `/data/migrations?limit=200${before ? `&beforeVersion=${before}` : ''}`);
        if (page.status !== 200) throw new Error(`${url} answered ${page.status}: ${String(page.json.detail ?? page.json.title ?? '')}`);
        const list = page.json.data as Array<{ name: string; version: number }>;
        for (const m of list) applied.add(m.name);
        if (list.length < 200) break;
        before = list[list.length - 1].version;
      }
      const done: Array<{ file: string; version: number }> = [];
      for (const file of files) {
        const text = readFileSync(path.join(dir, file), 'utf8');
        // A .sql file is sent as written (checked by the server's DDL guard); a .json file holds operations.
        let body: { name?: string; operations?: unknown; sql?: string };
        if (file.endsWith('.sql')) {
          body = { sql: text };
        } else {
          try {
            body = JSON.parse(text) as typeof body;
          } catch {
            throw new UsageError(`${file} is not JSON`);
          }
        }
        const name = body.name ?? file.replace(/\.(json|sql)$/, '');
        if (applied.has(name)) continue;
        const res = await call('POST', '/data/migrations', body.sql === undefined ? { name, operations: body.operations } : { name, sql: body.sql });
        if (res.status !== 201) throw new Error(`${file} was refused (${res.status} ${String(res.json.code ?? '')}): ${String(res.json.detail ?? res.json.title ?? '')}${done.length ? `; applied before it: ${done.map((d) => d.file).join(', ')}` : ''}`);
        done.push({ file, version: (res.json.migration as { version: number }).version });
        if (!options.json) console.log(`applied ${file} → version ${done[done.length - 1].version}`);
      }
      if (options.json) return void console.log(JSON.stringify({ applied: done, upToDate: done.length === 0 }, null, 2));
      if (!done.length) console.log(`Up to date: ${files.length} migration file(s), all applied.`);
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
