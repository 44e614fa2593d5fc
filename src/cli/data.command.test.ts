// `atrium data gen`, spawned for real against a live platform over HTTP: the SDK is written, type-
// checked with tsc (a wrong call fails to compile), and run against the server (create, list with a
// filter, by id, update, a typed unique violation); a rerun after a migration that drops a column
// names the breaking change. `atrium data tables` lists the tables and their row rules.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startTestPlatform } from '../../test/helpers/platform.ts';
import type { TestPlatform } from '../../test/helpers/platform.ts';
import { createTenant } from '../../test/helpers/tenants.ts';
import type { Tenant } from '../../test/helpers/tenants.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/atrium.mjs');
const TSC = path.join(ROOT, 'node_modules/typescript/bin/tsc');

function run(file: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [file, ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, timeout: 120_000 },
      (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
  });
}

describe('atrium data gen', () => {
  let platform: TestPlatform;
  let t: Tenant;
  // Inside the repository, so the generated hooks resolve react and @tanstack/react-query.
  const out = path.join(ROOT, '.atrium', `sdk-test-${process.pid}`);

  before(async () => {
    platform = await startTestPlatform({ ATRIUM_LOG_LEVEL: 'error' }, { listen: true });
    t = await createTenant(platform, 'cli-data');
    const res = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [
      { op: 'create_enum', name: 'task_status', values: ['todo', 'doing', 'done'] },
      { op: 'create_table', table: 'projects', columns: [{ name: 'name', type: 'text', nullable: false, unique: true }, { name: 'legacy_code', type: 'text' }] },
      { op: 'create_table', table: 'tasks', columns: [
        { name: 'title', type: 'text', nullable: false }, { name: 'status', type: 'enum', enum: 'task_status', nullable: false, default: 'todo' },
        { name: 'points', type: 'integer' }, { name: 'tags', type: 'text', array: true }, { name: 'project_id', type: 'uuid', references: { table: 'projects' } },
      ] },
    ] }) });
    assert.equal(res.status, 201, await res.text());
    mkdirSync(out, { recursive: true });
  });
  after(async () => {
    await platform.stop();
    rmSync(out, { recursive: true, force: true });
  });

  test('writes a client and hooks that compile, are typed, and work against the live API', async () => {
    const gen = await run(BIN, ['data', 'gen', '--out', out, '--url', platform.baseUrl!, '--token', t.apiKey]);
    assert.equal(gen.code, 0, gen.stderr);
    assert.match(gen.stdout, /wrote types\.ts, client\.ts, hooks\.ts, index\.ts, schema\.json/);
    const hooks = readFileSync(path.join(out, 'hooks.ts'), 'utf8');
    for (const hook of ['useTasks', 'useTaskById', 'useCreateTask', 'useUpdateTask', 'useDeleteTask', 'useProjects']) assert.match(hooks, new RegExp(`export function ${hook}\\b`));
    writeFileSync(path.join(out, 'check.ts'), `import { AtriumDataError, createClient } from './index.ts';
const client = createClient({ url: process.env.URL!, token: process.env.TOKEN! });
const p = await client.createProject({ name: 'From the SDK' });
const t = await client.createTask({ title: 'typed', projectId: p.id, status: 'doing', tags: ['a', 'b'] });
await client.createTasks([{ title: 'other', projectId: p.id }]);
const page = await client.tasks({ filter: { status: { eq: 'doing' } }, orderBy: ['TITLE_ASC'], first: 5 });
const one = await client.taskById(t.id);
const changed = await client.updateTask(t.id, { points: 3 });
let code = '';
try { await client.createProject({ name: 'From the SDK' }); } catch (e) { if (e instanceof AtriumDataError) code = e.errors[0].extensions?.code ?? ''; }
console.log(JSON.stringify({ total: page.totalCount, title: one?.title, points: changed?.points, tags: one?.tags, code }));
`);
    writeFileSync(path.join(out, 'wrong.ts'), `import { createClient } from './index.ts';
const client = createClient({ url: '', token: '' });
await client.createTask({ title: 42, status: 'blocked' });
`);
    const tscArgs = ['--ignoreConfig', '--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--allowImportingTsExtensions', '--skipLibCheck', '--jsx', 'react-jsx', '--types', 'node'];
    const ok = await run(TSC, [...tscArgs, path.join(out, 'index.ts'), path.join(out, 'hooks.ts'), path.join(out, 'check.ts')]);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    const wrong = await run(TSC, [...tscArgs, path.join(out, 'wrong.ts')]);
    assert.notEqual(wrong.code, 0, 'a wrong call does not compile');
    assert.match(wrong.stdout, /wrong.ts\(3,27\): error TS2322: Type 'number' is not assignable to type 'string'/);
    assert.match(wrong.stdout, /"blocked"/);
    const live = await run(path.join(out, 'check.ts'), [], { URL: platform.baseUrl!, TOKEN: t.apiKey });
    assert.equal(live.code, 0, live.stderr);
    assert.deepEqual(JSON.parse(live.stdout), { total: 1, title: 'typed', points: 3, tags: ['a', 'b'], code: 'UNIQUE_VIOLATION' });
  });

  test('a rerun after a migration names the breaking changes; `data tables` lists the tables', async () => {
    const res = await fetch(`${platform.baseUrl}/api/v1/data/migrations`, { method: 'POST', headers: { authorization: `Bearer ${t.tokens.owner}`, 'content-type': 'application/json' }, body: JSON.stringify({ operations: [
      { op: 'drop_column', table: 'projects', column: 'legacy_code' },
      { op: 'add_column', table: 'tasks', column: { name: 'due_on', type: 'date', nullable: false, default: '2026-12-31' } },
    ] }) });
    assert.equal(res.status, 201);
    const gen = await run(BIN, ['data', 'gen', '--out', out, '--json'], { ATRIUM_URL: platform.baseUrl!, ATRIUM_TOKEN: t.apiKey });
    assert.equal(gen.code, 0, gen.stderr);
    const result = JSON.parse(gen.stdout) as { breaking: string[]; tables: string[] };
    assert.deepEqual(result.breaking, ['projects.legacy_code is gone']);
    assert.deepEqual(result.tables, ['projects', 'tasks']);
    const tables = await run(BIN, ['data', 'tables', '--url', platform.baseUrl!, '--token', t.apiKey]);
    assert.equal(tables.code, 0, tables.stderr);
    assert.match(tables.stdout, /tasks\s+Task\s+tasks\s+7\s+none/);
    const missing = await run(BIN, ['data', 'gen', '--out', out]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--url and --token/);
  });
});
