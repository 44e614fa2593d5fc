// Builds of workflows (issue 15) end to end: a deploy queues a build; the job compiles the version,
// commits it on the workspace's branch (tenant/<slug>, under app/flows/<slug>/<workflow>/) and tags
// it; the API shows it (and its code to workflow.build holders only), diffs two builds, rebuilds;
// the quota stops the 101st build of a day with 429 and Retry-After; another workspace sees nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import { createPlatformAdminSession } from '../../../../test/helpers/tenants.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { TEST_SECRET } from '../../../../test/helpers/constants.ts';
import { clientOf, createTenant } from '../workflows.fixtures.ts';
import { BUILDS_GC_QUEUE, BUILDS_PURGE_QUEUE } from './maintenance.job.ts';
import type { Call, Tenant } from '../workflows.fixtures.ts';

type Build = { id: string; status: string; version: number; reason: string; commit: string | null; tag: string | null; manifest: { version: number; sourceHash: string; steps: number } | null; error: unknown; files?: Record<string, string> };

describe('workflow builds', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let owner: Call;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-builds-'));
  const git = (...args: string[]) => execFileSync('git', ['-C', path.join(dataDir, 'builds.git'), ...args], { encoding: 'utf8' });

  // Production's git server, played by a second bare repository: each build is pushed to it.
  const remote = path.join(dataDir, 'remote.git');
  const remoteGit = (...args: string[]) => execFileSync('git', ['-C', remote, ...args], { encoding: 'utf8' });

  before(async () => {
    execFileSync('git', ['init', '--bare', '--quiet', remote]);
    platform = await startTestPlatform({ ATRIUM_DATA_DIR: dataDir, ATRIUM_BUILDS_REMOTE: `file://${remote}` });
    platform.jobs.start();
    a = await createTenant(platform, 'builds-a');
    b = await createTenant(platform, 'builds-b');
    owner = clientOf(platform, a.tokens.owner);
  });
  after(async () => {
    await platform.jobs.stop();
    await platform.stop();
  });

  async function settled(workflowId: string, count: number): Promise<Build[]> {
    for (;;) {
      const list = (await owner('GET', `/workflows/${workflowId}/builds`)).json().data as Build[];
      if (list.length >= count && list.every((x) => x.status === 'succeeded' || x.status === 'failed')) return list;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  test('a deploy builds the version: committed on the workspace\'s branch, tagged, its code shown to admins', async () => {
    const created = await owner('POST', '/workflows', { name: 'Invoices', definition: { steps: [
      { id: 'total', type: 'transform', expression: '$sum(input.lines.amount)' },
      { id: 'big', type: 'condition', expression: 'steps.total > 1000', then: ['flag'] },
      { id: 'flag', type: 'transform', expression: '"review"' },
    ] } });
    assert.equal(created.statusCode, 201, created.body);
    const wf = created.json().id as string;
    assert.equal((await owner('POST', `/workflows/${wf}/deploy`, {})).statusCode, 200);
    const [build] = await settled(wf, 1);
    assert.equal(build.status, 'succeeded', JSON.stringify(build.error));
    assert.equal(build.reason, 'deploy');
    assert.match(build.commit!, /^[0-9a-f]{40}$/);
    assert.match(build.tag!, new RegExp(`^bld/builds-a/\\d{8}T\\d{9}Z-${wf.slice(0, 8)}-v1$`));
    assert.equal(build.manifest!.steps, 3);
    // In git: the branch, the files under the workspace's folder, the tag; nothing on main.
    assert.equal(git('rev-parse', 'refs/heads/tenant/builds-a').trim(), build.commit);
    assert.deepEqual(git('ls-tree', '-r', '--name-only', build.commit!).trim().split('\n').sort(),
      ['flow.ts', 'manifest.json', 'package.json', 'runtime.ts'].map((f) => `app/flows/builds-a/${wf}/${f}`));
    assert.equal(git('rev-parse', `refs/tags/${build.tag}`).trim(), build.commit);
    assert.throws(() => git('rev-parse', '--verify', '--quiet', 'refs/heads/main'));
    assert.match(git('log', '-1', '--format=%an <%ae>%n%s', build.commit!), /^Atrium builds <builds@atrium.local>\nBuild Invoices v1 \(deploy by user /);
    const withFiles = (await owner('GET', `/builds/${build.id}?files=true`)).json() as Build;
    assert.match(withFiles.files!['flow.ts'], /export default async function run\(rt: FlowRuntime, input: unknown\)/);
    assert.equal(JSON.parse(withFiles.files!['manifest.json']).sourceHash, build.manifest!.sourceHash);
    // Members run workflows, but do not see their code; another workspace sees nothing.
    assert.equal((await clientOf(platform, a.tokens.member)('GET', `/builds/${build.id}`)).statusCode, 403);
    assert.equal((await clientOf(platform, b.tokens.owner)('GET', `/builds/${build.id}`)).statusCode, 404);
    assert.equal((await clientOf(platform, b.tokens.owner)('GET', `/workflows/${wf}/builds`)).statusCode, 404);

    // A second version, deployed: a second build, and the diff between them says what changed.
    assert.equal((await owner('POST', `/workflows/${wf}/versions`, { definition: { steps: [
      { id: 'total', type: 'transform', expression: '$sum(input.lines.amount) * 1.2' },
    ] } })).statusCode, 201);
    assert.equal((await owner('POST', `/workflows/${wf}/deploy`, {})).statusCode, 200);
    const [second, first] = await settled(wf, 2);
    assert.equal(second.version, 2);
    const diff = (await owner('GET', `/builds/${second.id}/diff?against=${first.id}`)).json() as { diff: string };
    assert.match(diff.diff, /^- {2}"expression": "\$sum\(input\.lines\.amount\)",$/m);
    assert.match(diff.diff, /^\+ {2}"expression": "\$sum\(input\.lines\.amount\) \* 1\.2",$/m);
    // A rebuild of the same version: same code, so nothing to commit but the tag.
    const rebuild = await owner('POST', `/workflows/${wf}/builds`);
    assert.equal(rebuild.statusCode, 202, rebuild.body);
    const [third] = await settled(wf, 3);
    assert.deepEqual([third.reason, third.status, third.commit], ['rebuild', 'succeeded', second.commit]);
    // The branch holds this workspace's folder and nothing else, whoever else built meanwhile.
    assert.ok(git('ls-tree', '-r', '--name-only', third.commit!).trim().split('\n').every((f) => f.startsWith('app/flows/builds-a/')));
    // Pushed: the remote has the branch at the last commit and every build's tag.
    assert.equal(remoteGit('rev-parse', 'refs/heads/tenant/builds-a').trim(), third.commit);
    for (const b of [first, second, third]) assert.equal(remoteGit('rev-parse', `refs/tags/${b.tag}`).trim(), b.commit);
    // A platform admin sees the workspace's branch, its head and its builds; a workspace owner may not ask.
    const admin = await createPlatformAdminSession(platform, 'operator@builds.test', 'Operator');
    const repoView = await platform.app.inject({ method: 'GET', url: `/api/v1/admin/workspaces/${a.workspaceId}/builds`, headers: { authorization: `Bearer ${admin.token}` } });
    assert.equal(repoView.statusCode, 200, repoView.body);
    const view = repoView.json() as { branch: string; head: string; builds: Array<{ workflowName: string }> };
    assert.deepEqual([view.branch, view.head, view.builds.length, view.builds[0].workflowName], ['tenant/builds-a', third.commit, 3, 'Invoices']);
    assert.equal((await owner('GET', `/admin/workspaces/${a.workspaceId}/builds`)).statusCode, 403);
    const actions = (await platform.db.withPlatform((tx) => tx.query<{ action: string }>(`select action from audit_events where workspace_id = $1 and action like 'workflow.build%' order by id`, [a.workspaceId]))).rows.map((r) => r.action);
    assert.deepEqual(actions, ['workflow.build_requested', 'workflow.build_succeeded', 'workflow.build_requested', 'workflow.build_succeeded', 'workflow.build_requested', 'workflow.build_succeeded']);
  });

  test('the CLI lists a workspace\'s builds; old tags are purged (the daily job\'s work), the commits kept', async () => {
    const bin = path.resolve(import.meta.dirname, '../../../../bin/atrium.mjs');
    const atrium = (args: string[]) => new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(process.execPath, [bin, ...args], { timeout: 60_000, env: { PATH: process.env.PATH ?? '', DATABASE_URL: platform.ownerUrl, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: dataDir } },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
    const listed = await atrium(['builds', 'list', '--workspace', 'builds-a', '--json']);
    assert.equal(listed.code, 0, listed.stderr);
    const builds = JSON.parse(listed.stdout) as Array<{ workflowName: string; status: string; tag: string }>;
    assert.equal(builds.length, 3);
    assert.ok(builds.every((x) => x.workflowName === 'Invoices' && x.status === 'succeeded'));
    const table = await atrium(['builds', 'list', '--workspace', 'builds-a']);
    assert.match(table.stdout, /WHEN\s+WORKFLOW\s+VERSION\s+REASON\s+STATUS/);
    assert.equal((await atrium(['builds', 'purge', '--older-than', 'soon'])).code, 2);
    const none = await atrium(['builds', 'purge', '--older-than', '30d', '--json']);
    assert.deepEqual(JSON.parse(none.stdout), { deleted: 0, tags: [] });
    // The daily cron job, run by the engine: a tag of a commit 31 days old goes, today's stay.
    const head = git('rev-parse', 'refs/heads/tenant/builds-a').trim();
    const oldCommit = execFileSync('git', ['-C', path.join(dataDir, 'builds.git'), 'commit-tree', `${head}^{tree}`, '-p', head, '-m', 'an old build'], {
      encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Atrium builds', GIT_AUTHOR_EMAIL: 'builds@atrium.local', GIT_COMMITTER_NAME: 'Atrium builds', GIT_COMMITTER_EMAIL: 'builds@atrium.local', GIT_COMMITTER_DATE: new Date(Date.now() - 31 * 86_400_000).toISOString() },
    }).trim();
    git('update-ref', 'refs/tags/bld/builds-a/20001231T000000000Z-old-v1', oldCommit);
    const recent = git('tag', '--list', 'bld/builds-a/*').split('\n').filter((t) => t && !t.endsWith('-old-v1'));
    assert.equal(recent.length, 3);
    const runJob = async (queue: string) => {
      const { id } = await platform.db.withPlatform((tx) => platform.jobs.enqueue(tx, queue, {}));
      const left = () => platform.db.withPlatform(async (tx) => (await tx.query<{ status: string; last_error: string | null }>('select status, last_error from jobs where id = $1', [id])).rows[0]);
      for (let job = await left(); job; job = await left()) {
        assert.notEqual(job.status, 'dead', job.last_error ?? '');
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    await runJob(BUILDS_PURGE_QUEUE);
    assert.deepEqual(git('tag', '--list', 'bld/builds-a/*').split('\n').filter(Boolean), recent, 'only the old tag went');
    // The weekly gc job packs the repository; branches and their files are as they were.
    await runJob(BUILDS_GC_QUEUE);
    assert.equal(git('rev-parse', 'refs/heads/tenant/builds-a').trim(), head);
    assert.match(git('count-objects', '-v'), /^count: 0$/m, 'loose objects packed');
    assert.match(git('ls-tree', '-r', '--name-only', head), /\/flow\.ts$/m);
    // Thirty days on: every tag goes, the branch keeps its commits.
    const purged = await platform.workflows.purgeBuildTags({ days: -31 });
    assert.ok(purged.length >= 3 && purged.every((t) => t.startsWith('bld/')), purged.join(', '));
    assert.equal(git('tag', '--list', 'bld/builds-a/*').trim(), '');
    assert.equal(git('rev-parse', 'refs/heads/tenant/builds-a').trim(), head);
  });

  test('a build holding one of the workspace\'s secret values fails (BUILD_LEAK) and commits nothing; a reference by name builds', async () => {
    const c = await createTenant(platform, 'builds-leak');
    const call = clientOf(platform, c.tokens.owner);
    assert.equal((await call('PUT', '/secrets/CRM_TOKEN', { value: 'sk-live-planted-0123456789' })).statusCode, 201);
    const step = (authorization: string) => ({ steps: [{ id: 'push', type: 'http', method: 'POST', url: 'https://crm.example.com/contacts', headers: { authorization } }] });
    const leaky = (await call('POST', '/workflows', { name: 'Leaky', definition: step('Bearer sk-live-planted-0123456789') })).json().id as string;
    const clean = (await call('POST', '/workflows', { name: 'Clean', definition: step('Bearer {{secrets.CRM_TOKEN}}') })).json().id as string;
    for (const id of [leaky, clean]) assert.equal((await call('POST', `/workflows/${id}/deploy`, {})).statusCode, 200);
    const list = async (id: string) => {
      for (;;) {
        const data = (await call('GET', `/workflows/${id}/builds`)).json().data as Build[];
        if (data.length && data.every((x) => x.status === 'succeeded' || x.status === 'failed')) return data;
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const [bad] = await list(leaky);
    assert.deepEqual([bad.status, (bad.error as { code: string }).code, bad.commit], ['failed', 'BUILD_LEAK', null]);
    assert.match((bad.error as { message: string }).message, /a secret's value/);
    assert.doesNotMatch(JSON.stringify(bad), /sk-live-planted/, 'the error does not repeat the value');
    const [good] = await list(clean);
    assert.equal(good.status, 'succeeded');
    assert.match((await call('GET', `/builds/${good.id}?files=true`)).json().files['flow.ts'], /\{\{secrets\.CRM_TOKEN\}\}/);
  });

  test('a value from another workspace\'s vault fails the build through the fingerprint index, whose is never said; values written before the index are fingerprinted first', async () => {
    const other = await createTenant(platform, 'builds-vault-other');
    assert.equal((await clientOf(platform, other.tokens.owner)('PUT', '/secrets/STRIPE_KEY', { value: 'rk_live_51OtherClient9f8e7d6c5b' })).statusCode, 201);
    // As if written before migration 0037 (or under a master key since rotated): no fingerprints yet.
    await platform.db.withPlatform((tx) => tx.query(`update secrets set fingerprints = '{}', fingerprint_key = null where workspace_id = $1`, [other.workspaceId]));
    const c = await createTenant(platform, 'builds-vault');
    const call = clientOf(platform, c.tokens.owner);
    const step = (body: unknown) => ({ steps: [{ id: 'charge', type: 'http', method: 'POST', url: 'https://api.example.com/charges', body }] });
    // Quoted, escaped and inside a longer string: the same token comes out of the generated code.
    const pasted = (await call('POST', '/workflows', { name: 'Pasted', definition: step({ note: 'key="rk_live_51OtherClient9f8e7d6c5b"; retry' }) })).json().id as string;
    const near = (await call('POST', '/workflows', { name: 'Near', definition: step({ note: 'rk_live_51OtherClient9f8e7d6c5' }) })).json().id as string;
    for (const id of [pasted, near]) assert.equal((await call('POST', `/workflows/${id}/deploy`, {})).statusCode, 200);
    const settled = async (id: string) => {
      for (;;) {
        const data = (await call('GET', `/workflows/${id}/builds`)).json().data as Build[];
        if (data.length && data.every((x) => x.status === 'succeeded' || x.status === 'failed')) return data[0];
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    const bad = await settled(pasted);
    assert.deepEqual([bad.status, (bad.error as { code: string }).code, bad.commit], ['failed', 'BUILD_LEAK', null]);
    assert.match((bad.error as { message: string }).message, /flow\.ts: a value kept in a vault/);
    assert.doesNotMatch(JSON.stringify(bad), /rk_live|builds-vault-other|STRIPE_KEY/, 'neither the value nor whose it is');
    assert.doesNotMatch(JSON.stringify(bad), new RegExp(other.workspaceId));
    assert.equal((await settled(near)).status, 'succeeded', 'a token that is not the value builds');
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ n: number; key: string | null }>('select cardinality(fingerprints) as n, fingerprint_key as key from secrets where workspace_id = $1', [other.workspaceId]));
    assert.deepEqual(rows.map((r) => [r.n, r.key !== null]), [[1, true]], 'fingerprinted before the check');
  });

  test('a push the remote refuses fails the build (BUILD_PUSH_FAILED, the remote not named); the commit stays, a rebuild pushes it', async () => {
    const c = await createTenant(platform, 'builds-nopush');
    const call = clientOf(platform, c.tokens.owner);
    const hook = path.join(remote, 'hooks', 'pre-receive');
    writeFileSync(hook, '#!/bin/sh\nif grep -q builds-nopush; then echo "refused by policy" >&2; exit 1; fi\n', { mode: 0o755 });
    try {
      const wf = (await call('POST', '/workflows', { name: 'Pushed', definition: { steps: [{ id: 'one', type: 'transform', expression: '1' }] } })).json().id as string;
      assert.equal((await call('POST', `/workflows/${wf}/deploy`, {})).statusCode, 200);
      const settledOf = async (count: number) => {
        for (;;) {
          const data = (await call('GET', `/workflows/${wf}/builds`)).json().data as Build[];
          if (data.length >= count && data.every((x) => x.status === 'succeeded' || x.status === 'failed')) return data[0];
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      const failed = await settledOf(1);
      assert.deepEqual([failed.status, (failed.error as { code: string }).code], ['failed', 'BUILD_PUSH_FAILED']);
      assert.match((failed.error as { message: string }).message, /committed and tagged, but not pushed/);
      assert.doesNotMatch((failed.error as { message: string }).message, new RegExp(remote.replaceAll('/', '\\/')), 'the remote is the installation\'s business');
      assert.ok(git('rev-parse', 'refs/heads/tenant/builds-nopush').trim(), 'committed locally');
      assert.throws(() => remoteGit('rev-parse', '--verify', '--quiet', 'refs/heads/tenant/builds-nopush'), 'nothing reached the remote (atomic)');
      rmSync(hook);
      assert.equal((await call('POST', `/workflows/${wf}/builds`, {})).statusCode, 202);
      const rebuilt = await settledOf(2);
      assert.equal(rebuilt.status, 'succeeded', JSON.stringify(rebuilt.error));
      assert.equal(remoteGit('rev-parse', 'refs/heads/tenant/builds-nopush').trim(), rebuilt.commit);
    } finally {
      rmSync(hook, { force: true });
    }
  });

  test('signup names the workspace\'s build branch (a slug changed later renames nothing built)', async () => {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email: 'founder@branch.test', password: 'correct horse battery staple 9', name: 'Founder', companyName: 'Branch Co' } });
    assert.equal(res.statusCode, 201, res.body);
    const ws = (res.json() as { workspace: { id: string; slug: string } }).workspace;
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ branch: string; folder: string }>('select branch, folder from workflow_build_branches where workspace_id = $1', [ws.id]));
    assert.deepEqual(rows, [{ branch: `tenant/${ws.slug}`, folder: `app/flows/${ws.slug}` }]);
  });

  test('a slug taken by another workspace\'s branch (renamed since) gets a branch of its own', async () => {
    const first = await createTenant(platform, 'builds-reused');
    await platform.db.withWorkspace(first.workspaceId, (tx) => platform.workflows.nameBuildBranch(tx, first.workspaceId));
    await platform.db.withPlatform((tx) => tx.query(`update workspaces set slug = 'builds-reused-old' where id = $1`, [first.workspaceId]));
    const second = await createTenant(platform, 'builds-reused-2');
    await platform.db.withPlatform((tx) => tx.query(`update workspaces set slug = 'builds-reused' where id = $1`, [second.workspaceId]));
    await platform.db.withWorkspace(second.workspaceId, (tx) => platform.workflows.nameBuildBranch(tx, second.workspaceId));
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ workspace_id: string; branch: string }>(`select workspace_id, branch from workflow_build_branches where workspace_id = any($1)`, [[first.workspaceId, second.workspaceId]]));
    const byWs = Object.fromEntries(rows.map((r) => [r.workspace_id, r.branch]));
    assert.equal(byWs[first.workspaceId], 'tenant/builds-reused', 'the first keeps its branch after the rename');
    assert.equal(byWs[second.workspaceId], `tenant/builds-reused-${second.workspaceId.slice(0, 8)}`);
  });

  test('100 builds per workspace per rolling day: the 101st rebuild is refused with when the next is allowed; a deploy goes on without its build', async () => {
    const c = await createTenant(platform, 'builds-quota');
    const call = clientOf(platform, c.tokens.owner);
    const wf = (await call('POST', '/workflows', { name: 'Quota', definition: { steps: [{ id: 'a', type: 'transform', expression: '1' }] } })).json().id as string;
    assert.equal((await call('POST', `/workflows/${wf}/deploy`, {})).statusCode, 200);
    // 99 more builds of the last 24 hours, the oldest 23 hours ago.
    await platform.db.withPlatform((tx) => tx.query(
      `insert into workflow_builds (workspace_id, workflow_id, version_id, version, reason, status, created_at)
       select workspace_id, workflow_id, version_id, version, 'rebuild', 'succeeded', now() - interval '23 hours' + (g * interval '1 second')
       from workflow_builds, generate_series(1, 99) g where workspace_id = $1 limit 99`, [c.workspaceId]));
    const refused = await call('POST', `/workflows/${wf}/builds`);
    assert.equal(refused.statusCode, 429, refused.body);
    assert.equal(refused.json().code, 'BUILD_QUOTA_EXCEEDED');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter > 3500 && retryAfter <= 3602, `retry-after ${retryAfter}`);
    assert.ok(Date.parse(refused.json().nextAllowedAt) > Date.now());
    const deploy = await call('POST', `/workflows/${wf}/deploy`, {});
    assert.equal(deploy.statusCode, 200, 'the deploy itself is never refused');
    const skipped = await platform.db.withPlatform((tx) => tx.query(`select 1 from audit_events where workspace_id = $1 and action = 'workflow.build_skipped'`, [c.workspaceId]));
    assert.equal(skipped.rows.length, 1);
  });
});
