// `atrium init`, `atrium tenant create|list|delete` and `atrium data migrate`, spawned for real:
// a project scaffolded, a tenant created on the platform's database (its data schema and a key),
// the project's migrations applied over HTTP to a live server (once: a rerun is up to date), the
// first GraphQL answer with the printed key, the tenant listed, then deleted (asked to confirm).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_SECRET } from '../../test/helpers/constants.ts';
import { startTestPlatform } from '../../test/helpers/platform.ts';
import type { TestPlatform } from '../../test/helpers/platform.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

describe('atrium init, tenant and data migrate', () => {
  let platform: TestPlatform;
  let cwd: string;

  function atrium(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], {
        cwd: options.cwd ?? cwd, timeout: 60_000,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data'), ...options.env },
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-tenant-'));
  });
  after(async () => {
    await platform.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test('init scaffolds a project and refuses a folder that is not empty', async () => {
    const made = await atrium(['init', 'shop']);
    assert.equal(made.code, 0, made.stderr);
    for (const f of ['atrium.config.json', '.env.example', 'README.md', 'migrations/001_create_tasks.sql', '.gitignore']) assert.ok(existsSync(path.join(cwd, 'shop', f)), f);
    assert.equal(JSON.parse(readFileSync(path.join(cwd, 'shop', 'atrium.config.json'), 'utf8')).tenant, 'shop');
    const again = await atrium(['init', 'shop']);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /not empty/);
    assert.equal((await atrium(['init', 'shop', '--force'])).code, 0);
  });

  test('tenant create → data migrate → the first GraphQL answer with the printed key; list; delete asks', async () => {
    const created = await atrium(['tenant', 'create', 'shop', '--name', 'The Shop', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const tenant = JSON.parse(created.stdout) as { workspace: { id: string; slug: string }; apiKey: string; graphqlUrl: string };
    assert.equal(tenant.workspace.slug, 'shop');
    assert.match(tenant.apiKey, /^atr_/);
    assert.match(tenant.graphqlUrl, /\/api\/v1\/data\/graphql$/);
    const env = { ATRIUM_URL: platform.baseUrl!, ATRIUM_TOKEN: tenant.apiKey };
    const project = path.join(cwd, 'shop');
    writeFileSync(path.join(project, 'migrations', '002_add_priority.json'), JSON.stringify({ operations: [{ op: 'add_column', table: 'tasks', column: { name: 'priority', type: 'integer', default: 0 } }] }));
    const migrated = await atrium(['data', 'migrate', '--json'], { cwd: project, env });
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.deepEqual((JSON.parse(migrated.stdout) as { applied: Array<{ file: string }> }).applied.map((a) => a.file), ['001_create_tasks.sql', '002_add_priority.json']);
    const rerun = await atrium(['data', 'migrate'], { cwd: project, env });
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.match(rerun.stdout, /Up to date: 2 migration file\(s\)/);
    const res = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { createTask(input: { title: "first" }) { title done priority } }' }) });
    assert.deepEqual(await res.json(), { data: { createTask: { title: 'first', done: false, priority: 0 } }, extensions: { cost: 1, statements: 1 } });
    // A broken migration stops the run and names the file.
    writeFileSync(path.join(project, 'migrations', '003_broken.json'), JSON.stringify({ operations: [{ op: 'drop_table', table: 'nope' }] }));
    const broken = await atrium(['data', 'migrate'], { cwd: project, env });
    assert.equal(broken.code, 1);
    assert.match(broken.stderr, /003_broken\.json was refused \(422 DATA_MIGRATION_INVALID\)/);

    // Export, then import into a new tenant: same tables, same rows; a tenant with tables refuses.
    await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { createTasks(inputs: [{ title: "second", priority: 2 }, { title: "third", done: true }]) { title } }' }) });
    const exported = await atrium(['tenant', 'export', 'shop', '--out', 'shop.jsonl']);
    assert.equal(exported.code, 0, exported.stderr);
    assert.match(exported.stderr, /2 migration\(s\), 1 table\(s\), 3 row\(s\)/);
    const lines = readFileSync(path.join(cwd, 'shop.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(lines[0].format, 'atrium-data-export');
    assert.deepEqual(lines.at(-1), { end: true, rows: { tasks: 3 } });
    const copy = JSON.parse((await atrium(['tenant', 'create', 'shop-copy', '--json'])).stdout) as { apiKey: string };
    const imported = await atrium(['tenant', 'import', 'shop-copy', '--in', 'shop.jsonl', '--json']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.deepEqual(JSON.parse(imported.stdout), { migrations: 2, rows: { tasks: 3 } });
    const copied = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${copy.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tasks(orderBy: [TITLE_ASC]) { nodes { title done priority } } }' }) });
    assert.deepEqual(((await copied.json()) as { data: unknown }).data, { tasks: { nodes: [{ title: 'first', done: false, priority: 0 }, { title: 'second', done: false, priority: 2 }, { title: 'third', done: true, priority: 0 }] } });
    const again = await atrium(['tenant', 'import', 'shop-copy', '--in', 'shop.jsonl']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /no tables/);

    const list = await atrium(['tenant', 'list', '--json']);
    assert.equal(list.code, 0, list.stderr);
    const shop = (JSON.parse(list.stdout) as Array<{ slug: string; tables: number; dataSchemaVersion: number }>).find((t) => t.slug === 'shop');
    assert.deepEqual({ tables: shop?.tables, version: shop?.dataSchemaVersion }, { tables: 1, version: 2 });

    const refused = await atrium(['tenant', 'delete', 'shop']);
    assert.equal(refused.code, 2, 'not on a terminal: --yes is needed');
    const deleted = await atrium(['tenant', 'delete', 'shop', '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    const after = await fetch(`${platform.baseUrl}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${tenant.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ tasks { totalCount } }' }) });
    assert.ok(after.status === 401 || after.status === 403, `a deleted tenant's key is refused (${after.status})`);
  });
});

describe('atrium dev', () => {
  let platform: TestPlatform;
  let cwd: string;
  before(async () => {
    // Only the database: `atrium dev` starts the platform itself.
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' });
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-dev-'));
  });
  after(async () => {
    await platform.stop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test('starts the platform, creates the tenant once (key in .env), applies the migrations; a second run reuses it', async () => {
    const port = 21000 + Math.floor(Math.random() * 8000);
    const env = { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data'), ATRIUM_LOG_LEVEL: 'error' };
    const init = await new Promise<number>((resolve) => execFile(process.execPath, [BIN, 'init', 'app'], { cwd, env }, (err) => resolve(err ? 1 : 0)));
    assert.equal(init, 0);
    const project = path.join(cwd, 'app');
    writeFileSync(path.join(project, 'atrium.config.json'), JSON.stringify({ url: `http://localhost:${port}`, tenant: 'dev-app', migrations: 'migrations' }));
    const { spawn } = await import('node:child_process');
    const dev = spawn(process.execPath, [BIN, 'dev'], { cwd: project, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    dev.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    dev.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setInterval(() => { if (out.includes('Ctrl-C stops')) { clearInterval(timer); resolve(); } }, 100);
        dev.once('exit', (code) => { clearInterval(timer); reject(new Error(`atrium dev exited with ${code}: ${out}`)); });
      });
      assert.match(out, /Created the tenant dev-app/);
      assert.match(out, /Applied 001_create_tasks\.sql/);
      assert.match(out, /GraphiQL: http:\/\/localhost:\d+\/data\?tab=graphql/);
      const token = /ATRIUM_TOKEN=(atr_\S+)/.exec(readFileSync(path.join(project, '.env'), 'utf8'))![1];
      const res = await fetch(`http://localhost:${port}/api/v1/data/graphql`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { createTask(input: { title: "from dev" }) { title done } }' }) });
      assert.deepEqual(((await res.json()) as { data: unknown }).data, { createTask: { title: 'from dev', done: false } });
      const again = await new Promise<{ code: number; stdout: string }>((resolve) => execFile(process.execPath, [BIN, 'dev'], { cwd: project, env, timeout: 60_000 }, (err, stdout) => resolve({ code: err ? 1 : 0, stdout })));
      assert.equal(again.code, 0);
      assert.match(again.stdout, /Reusing the Atrium at http:\/\/localhost:\d+\. Migrations up to date\./);
    } finally {
      dev.kill('SIGTERM');
      await new Promise((resolve) => dev.once('exit', resolve));
    }
  });
});
