// The `atrium` command, spawned for real against a test database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createTestDatabase } from '../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../test/helpers/constants.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');
const VERSION: string = JSON.parse((await import('node:fs')).readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')).version;

type Run = { code: number; stdout: string; stderr: string };

describe('atrium CLI', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let cwd: string;

  before(async () => {
    database = await createTestDatabase();
    // An empty working directory: no stray .env is read.
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-cli-'));
  });
  after(async () => {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  function atrium(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data'), ...env },
      }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      });
    });
  }

  async function query<T extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<T[]> {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query<T>(sql, params)).rows;
    } finally {
      await client.end();
    }
  }

  function assertOneLineError(run: Run, pattern: RegExp, code = 1): void {
    assert.equal(run.code, code, `${code === 2 ? 'a usage error' : 'a failure'}: ${run.stderr}`);
    assert.equal(run.stdout, '');
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, `one line, got:\n${run.stderr}`);
    assert.match(lines[0], /^atrium: /);
    assert.match(lines[0], pattern);
  }

  test('admin create makes a platform admin with a workspace, and is idempotent', async () => {
    const run = await atrium(['admin', 'create', '--email', 'Ops@CLI.test', '--password', 'operator password 1', '--name', 'Ops']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Platform admin ops@cli\.test: created\./);
    assert.match(run.stdout, /"Operations" \(operations\)/);
    const [user] = await query<{ is_platform_admin: boolean; name: string }>(`select is_platform_admin, name from users where email = 'ops@cli.test'`);
    assert.deepEqual(user, { is_platform_admin: true, name: 'Ops' });

    const again = await atrium(['admin', 'create', '--email', 'ops@cli.test', '--json'], { ATRIUM_ADMIN_PASSWORD: 'ignored password 1' });
    assert.equal(again.code, 0, again.stderr);
    const result = JSON.parse(again.stdout);
    assert.deepEqual([result.isNewUser, result.wasPromoted, result.workspace.slug], [false, false, 'operations']);
    assert.equal((await query(`select 1 from workspaces`)).length, 1);
  });

  test('admin create without a password, not on a terminal: one clear error line', async () => {
    assertOneLineError(await atrium(['admin', 'create', '--email', 'nopass@cli.test']), /no password: pass --password, set ATRIUM_ADMIN_PASSWORD/);
    assertOneLineError(await atrium(['admin', 'create', '--email', 'weak@cli.test', '--password', 'short']), /at least 10 characters/);
    assert.equal((await query(`select 1 from users where email in ('nopass@cli.test', 'weak@cli.test')`)).length, 0);
  });

  test('admin create asks for the password on a terminal, without echo', { skip: !existsSync('/usr/bin/script') && 'needs script(1) for a pseudo-terminal' }, async () => {
    // script(1) runs the command on a pseudo-terminal and relays our stdin to it.
    const command = `${process.execPath} ${BIN} admin create --email tty@cli.test`;
    const child = spawn('/usr/bin/script', ['-qec', command, '/dev/null'], {
      cwd,
      env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data') },
    });
    let output = '';
    const answered = new Set<string>();
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      // Type only once the prompt is shown (the terminal is then in raw mode).
      for (const prompt of ['Password for the platform admin: ', 'Repeat the password: ']) {
        if (output.includes(prompt) && !answered.has(prompt)) {
          answered.add(prompt);
          child.stdin.write('typed secret 42\r');
        }
      }
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /Platform admin tty@cli\.test: created\./);
    assert.doesNotMatch(output, /typed secret/, 'the password is not echoed');
    const [row] = await query<{ is_platform_admin: boolean }>(`select is_platform_admin from users where email = 'tty@cli.test'`);
    assert.equal(row.is_platform_admin, true);
  });

  test('workspace create → list --json contains it → delete → list shows it deleted', async () => {
    const created = await atrium(['workspace', 'create', '--name', 'Acme CLI', '--plan', 'pro', '--owner-email', 'ops@cli.test', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const w = JSON.parse(created.stdout);
    assert.equal(w.slug, 'acme-cli');
    assert.equal(w.plan, 'pro');
    assert.equal(w.status, 'active');
    assert.deepEqual(w.members.map((m: { email: string; role: string }) => [m.email, m.role]), [['ops@cli.test', 'owner']]);

    const listed = await atrium(['workspace', 'list', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const all = JSON.parse(listed.stdout);
    assert.ok(Array.isArray(all));
    const acme = all.find((x: { id: string }) => x.id === w.id);
    assert.deepEqual([acme.slug, acme.status, acme.memberCount], ['acme-cli', 'active', 1]);

    const deleted = await atrium(['workspace', 'delete', 'acme-cli']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, new RegExp(`Deleted workspace acme-cli \\(${w.id}\\)`));

    const after = JSON.parse((await atrium(['workspace', 'list', '--json'])).stdout);
    assert.equal(after.find((x: { id: string }) => x.id === w.id).status, 'deleted');
    const onlyDeleted = JSON.parse((await atrium(['workspace', 'list', '--status', 'deleted', '--json'])).stdout);
    assert.deepEqual(onlyDeleted.map((x: { slug: string }) => x.slug), ['acme-cli']);

    const [row] = await query<{ status: string; deleted_at: Date | null }>('select status, deleted_at from workspaces where id = $1', [w.id]);
    assert.equal(row.status, 'deleted');
    assert.ok(row.deleted_at);

    const byId = await atrium(['workspace', 'delete', w.id, '--json']);
    assert.equal(byId.code, 0, byId.stderr);
    assert.equal(JSON.parse(byId.stdout).status, 'deleted');
  });

  test('workspace list prints an aligned table by default', async () => {
    const created = await atrium(['workspace', 'create', '--name', 'A Much Longer Workspace Name', '--slug', 'long-one']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^Created workspace long-one \([0-9a-f-]{36}\), plan free, no members yet\.\n$/);
    const run = await atrium(['workspace', 'list']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0], /^ID\s+SLUG\s+NAME\s+PLAN\s+STATUS\s+KIND\s+MEMBERS\s+CREATED$/);
    const [{ n }] = await query<{ n: number }>('select count(*)::int as n from workspaces');
    assert.equal(lines.length, n + 1, run.stdout);
    for (const column of ['SLUG', 'NAME', 'PLAN', 'STATUS']) {
      const at = lines[0].indexOf(column);
      for (const line of lines.slice(1)) assert.notEqual(line[at - 1], undefined);
      for (const line of lines.slice(1)) assert.equal(line[at - 1], ' ', `${column} column starts at the same place:\n${run.stdout}`);
    }
    const longRow = lines.find((l) => l.includes('long-one'))!;
    assert.equal(longRow.indexOf('A Much Longer Workspace Name'), lines[0].indexOf('NAME'));
    const empty = await atrium(['workspace', 'list', '--status', 'suspended']);
    assert.match(empty.stdout, /No suspended workspaces/);
  });

  test('bad arguments exit 2, failures exit 1, each with one line', async () => {
    const cases: Array<[string[], RegExp, number, Record<string, string>?]> = [
      [['workspace', 'create'], /required option '--name <name>'/, 2],
      [['workspace', 'create', '--name', 'X', '--plan', 'gold'], /gold/, 2],
      [['workspace', 'create', '--name', 'X', '--slug', 'Not A Slug'], /--slug/, 2],
      [['workspace', 'create', '--name', 'Dup', '--slug', 'long-one'], /already used/, 1],
      [['workspace', 'create', '--name', 'X', '--owner-email', 'ghost@cli.test'], /No user with the email ghost@cli\.test/, 1],
      [['workspace', 'delete', 'no-such-workspace'], /No workspace with the slug "no-such-workspace"/, 1],
      [['workspace', 'delete'], /missing required argument/, 2],
      [['workspace', 'list', '--status', 'gone'], /gone/, 2],
      [['workspace', 'frobnicate'], /frobnicate/, 2],
      [['nope'], /unknown command 'nope'/, 2],
      [['jobs', 'retry', 'not-a-uuid'], /must be an id \(a UUID\)/, 2],
      [['workspace', 'list'], /DATABASE_URL/, 1, { DATABASE_URL: 'mysql://x' }],
    ];
    const runs = await Promise.all(cases.map(([args, , , env]) => atrium(args, env)));
    runs.forEach((run, i) => assertOneLineError(run, cases[i][1], cases[i][2]));
    assert.equal((await query(`select 1 from workspaces where name in ('X', 'Dup')`)).length, 0);
  });

  test('--help lists every subcommand', async () => {
    const help = await atrium(['--help']);
    for (const command of ['start', 'migrate', 'workspace', 'admin', 'audit', 'keys', 'webhooks', 'jobs']) assert.match(help.stdout, new RegExp(`^  ${command}\\b`, 'm'));
    const jobs = await atrium(['jobs', '--help']);
    assert.equal(jobs.code, 0);
    for (const sub of ['stats', 'list', 'retry', 'cancel']) assert.match(jobs.stdout, new RegExp(`^  ${sub}\\b`, 'm'));
    const bare = await atrium(['jobs']);
    assert.equal(bare.code, 2, 'a command group without its subcommand is a usage error');
  });

  test('--help and --version work on every command', async () => {
    const commands = [[], ['workspace'], ['workspace', 'delete'], ['admin', 'create'], ['start']];
    const runs = await Promise.all(commands.flatMap((args) => [atrium([...args, '--help']), atrium([...args, '--version'])]));
    commands.forEach((args, i) => {
      const [help, version] = [runs[2 * i], runs[2 * i + 1]];
      assert.equal(help.code, 0, `${args.join(' ')} --help: ${help.stderr}`);
      assert.match(help.stdout, new RegExp(`^Usage: atrium${args.length ? ` ${args.join(' ')}` : ''} `));
      assert.equal(version.code, 0, `${args.join(' ')} --version: ${version.stderr}`);
      assert.equal(version.stdout.trim(), VERSION);
    });
  });
});
