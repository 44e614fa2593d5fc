// `atrium dev` (brief 003): in a project made by `atrium init`, the platform on its embedded
// default (or DATABASE_URL), the project's tenant (created once, its API key kept in .env), the
// project's migrations applied, and the URLs printed; Ctrl-C stops. When an Atrium already
// answers at the project's URL, it is reused: migrations applied there with .env's key.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Config } from '../kernel/config.ts';
import { UsageError } from './usage.ts';

type Project = { url: string; tenant: string; migrations: string };

function readProject(): Project {
  if (!existsSync('atrium.config.json')) throw new UsageError('no atrium.config.json here: run atrium dev in a project (atrium init <dir> makes one)');
  const raw = JSON.parse(readFileSync('atrium.config.json', 'utf8')) as Partial<Project>;
  return { url: (raw.url ?? 'http://localhost:3000').replace(/\/$/, ''), tenant: raw.tenant ?? 'dev', migrations: raw.migrations ?? 'migrations' };
}

function readEnvToken(): string | null {
  if (!existsSync('.env')) return null;
  const m = /^ATRIUM_TOKEN=(atr_\S+)$/m.exec(readFileSync('.env', 'utf8'));
  return m ? m[1] : null;
}

function keepToken(url: string, token: string): void {
  const current = existsSync('.env') ? readFileSync('.env', 'utf8') : '';
  const lines = current.split('\n').filter((l) => l && !l.startsWith('ATRIUM_TOKEN=') && !l.startsWith('ATRIUM_URL='));
  writeFileSync('.env', `${[...lines, `ATRIUM_URL=${url}`, `ATRIUM_TOKEN=${token}`].join('\n')}\n`, { mode: 0o600 });
}

async function answers(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1500) });
    return res.ok;
  } catch {
    return false;
  }
}

async function migrate(url: string, token: string, dir: string): Promise<string[]> {
  // In a child process, asynchronously: the server answering it may be this very process.
  const { execFile } = await import('node:child_process');
  const bin = new URL('../../bin/atrium.mjs', import.meta.url).pathname;
  const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, [bin, 'data', 'migrate', '--dir', dir, '--json'], { env: { ...process.env, ATRIUM_URL: url, ATRIUM_TOKEN: token } },
      (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }));
  });
  if (run.code !== 0) throw new Error(run.stderr.trim().replace(/^atrium: /, '') || 'migrations failed');
  return (JSON.parse(run.stdout) as { applied: Array<{ file: string }> }).applied.map((a) => a.file);
}

export function registerDevCommands(program: Command, getConfig: () => Config): void {
  program.command('dev').description('Run the project: the platform (reused if already up), its tenant, its migrations; prints the URLs')
    .action(async () => {
      const project = readProject();
      const port = Number(new URL(project.url).port || 80);
      if (await answers(project.url)) {
        const token = process.env.ATRIUM_TOKEN ?? readEnvToken();
        if (!token) throw new UsageError(`an Atrium already answers at ${project.url}, and .env has no ATRIUM_TOKEN for it (atrium tenant create ${project.tenant} prints one)`);
        const applied = await migrate(project.url, token, project.migrations);
        console.log(`Reusing the Atrium at ${project.url}.${applied.length ? ` Applied ${applied.join(', ')}.` : ' Migrations up to date.'}`);
        console.log(`GraphQL: ${project.url}/api/v1/data/graphql   GraphiQL: ${project.url}/data?tab=graphql   Console: ${project.url}/data`);
        return;
      }
      const config = { ...getConfig(), port, publicUrl: project.url };
      const [{ buildConsoleIfStale }, { startPlatform }] = await Promise.all([import('./console-build.ts'), import('../main.ts')]);
      await buildConsoleIfStale();
      const { stop, url, platform } = await startPlatform(config, { role: 'all', port });
      const stopping = () => {
        stop().then(() => process.exit(0), () => process.exit(1));
      };
      process.once('SIGINT', stopping);
      process.once('SIGTERM', stopping);
      let token = process.env.ATRIUM_TOKEN ?? readEnvToken();
      const existing = await platform.db.withPlatform((tx) => platform.tenancy.findWorkspace(tx, project.tenant));
      if (!existing) {
        const workspace = await platform.admin.createWorkspace({ name: project.tenant, slug: project.tenant, plan: 'free' }, { userId: null, via: 'cli' });
        await platform.db.withWorkspace(workspace.id, (tx) => platform.data.provisionSchema(tx));
        const { auditContextOfAdmin } = await import('../modules/admin/admin-audit.ts');
        token = (await platform.identity.issuePlatformKey(workspace.id, { name: 'atrium dev', role: 'admin' }, auditContextOfAdmin({ userId: null, via: 'cli' }))).key;
        keepToken(url, token);
        console.log(`Created the tenant ${project.tenant}; its API key is in .env (ATRIUM_TOKEN).`);
      } else if (!token) {
        throw new UsageError(`the tenant ${project.tenant} exists but .env has no ATRIUM_TOKEN for it: add one (console → API keys)`);
      }
      const applied = await migrate(url, token!, project.migrations);
      console.log(applied.length ? `Applied ${applied.join(', ')}.` : 'Migrations up to date.');
      console.log(`GraphQL: ${url}/api/v1/data/graphql   GraphiQL: ${url}/data?tab=graphql   Console: ${url}/data   API docs: ${url}/docs`);
      console.log('Ctrl-C stops.');
    });
}
