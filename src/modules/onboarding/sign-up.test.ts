// POST /onboard/signup through the real app on a fresh database.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { pino } from 'pino';
import { createOnboardingModule } from './index.ts';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';

const PASSWORD = 'correct horse battery staple';

describe('onboarding signup', () => {
  let platform: TestPlatform;

  before(async () => {
    platform = await startTestPlatform();
  });
  after(async () => {
    await platform.stop();
  });

  function signup(body: Record<string, unknown>) {
    return platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: body });
  }

  async function counts(): Promise<Record<string, number>> {
    return platform.db.withPlatform(async (tx) => {
      const { rows } = await tx.query<Record<string, number>>(`select
        (select count(*)::int from users) as users,
        (select count(*)::int from workspaces) as workspaces,
        (select count(*)::int from memberships) as memberships,
        (select count(*)::int from workspace_settings) as settings,
        (select count(*)::int from outbox_messages) as mails,
        (select count(*)::int from sessions) as sessions`);
      return rows[0];
    });
  }

  test('creates the user, workspace, owner membership, settings, welcome mail and a session in one go', async () => {
    const res = await signup({ email: 'Ada@Example.com', password: PASSWORD, name: 'Ada Lovelace', companyName: 'Analytical Engines' });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.status, 'created');
    assert.equal(body.user.email, 'ada@example.com');
    assert.equal(body.user.name, 'Ada Lovelace');
    assert.equal(body.workspace.slug, 'analytical-engines');
    assert.equal(body.workspace.kind, 'organization');
    assert.equal(body.workspace.status, 'active');
    assert.equal(body.tokenType, 'Bearer');
    assert.ok(body.accessToken && body.refreshToken && body.sessionId);
    assert.ok(body.expiresIn > 0);

    const rows = await platform.db.withPlatform(async (tx) => ({
      user: (await tx.query('select * from users where id = $1', [body.user.id])).rows,
      membership: (await tx.query('select role from memberships where workspace_id = $1 and user_id = $2', [body.workspace.id, body.user.id])).rows,
      settings: (await tx.query('select key from workspace_settings where workspace_id = $1 order by key', [body.workspace.id])).rows,
      mail: (await tx.query('select to_address, kind, subject, text_body from outbox_messages where workspace_id = $1', [body.workspace.id])).rows,
      session: (await tx.query('select workspace_id, revoked_at from sessions where id = $1', [body.sessionId])).rows,
    }));
    assert.equal(rows.user.length, 1);
    assert.notEqual(rows.user[0].password_hash, PASSWORD);
    assert.match(rows.user[0].password_hash, /^\$argon2id\$/);
    assert.deepEqual(rows.membership, [{ role: 'owner' }]);
    assert.deepEqual(rows.settings.map((r) => r.key), Object.keys(platform.tenancy.settings.defaults()).sort());
    assert.equal(rows.mail.length, 1);
    assert.equal(rows.mail[0].kind, 'welcome');
    assert.equal(rows.mail[0].to_address, 'ada@example.com');
    assert.match(rows.mail[0].text_body, /Analytical Engines/);
    assert.deepEqual(rows.session, [{ workspace_id: body.workspace.id, revoked_at: null }]);

    // The tokens work: the new owner reads their workspace.
    const current = await platform.app.inject({ method: 'GET', url: '/api/v1/workspaces/current', headers: { authorization: `Bearer ${body.accessToken}` } });
    assert.equal(current.statusCode, 200, current.body);
    assert.equal(current.json().id, body.workspace.id);
  });

  test('the same email again (any case) answers already_created, creates and changes nothing, returns no tokens', async () => {
    const before = await counts();
    const userBefore = await platform.db.withPlatform((tx) => tx.query(`select name, password_hash, updated_at from users where email = 'ada@example.com'`));
    const res = await signup({ email: 'ADA@example.COM', password: 'another password 123', name: 'Somebody Else', companyName: 'Other Co' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { status: 'already_created' });
    assert.deepEqual(await counts(), before);
    const userAfter = await platform.db.withPlatform((tx) => tx.query(`select name, password_hash, updated_at from users where email = 'ada@example.com'`));
    assert.deepEqual(userAfter.rows, userBefore.rows);
  });

  test('a second company with the same name gets a unique slug', async () => {
    const res = await signup({ email: 'charles@example.com', password: PASSWORD, name: 'Charles', companyName: 'Analytical Engines' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.json().workspace.slug, 'analytical-engines-2');
    const accents = await signup({ email: 'eloise@example.com', password: PASSWORD, name: 'Éloïse', companyName: 'Café Crème & Co.' });
    assert.equal(accents.json().workspace.slug, 'cafe-creme-co');
  });

  test('a failing provisioning step leaves nothing behind; completed steps are compensated in reverse', async () => {
    const compensated: string[] = [];
    const seen: Record<string, unknown> = {};
    const removeA = platform.onboarding.registerProvisioningStep({
      name: 'test-external-a',
      async run(ctx) { seen.a = ctx.user?.email; },
      async compensate() { compensated.push('test-external-a'); },
    });
    const removeB = platform.onboarding.registerProvisioningStep({
      name: 'test-external-b',
      async run(ctx) { seen.b = ctx.workspace?.slug; },
      async compensate() { compensated.push('test-external-b'); },
    });
    const removeBoom = platform.onboarding.registerProvisioningStep({
      name: 'test-explodes',
      async run(_ctx, tx) {
        // Write something first: the rollback must take it away too.
        await tx.query(`update workspaces set name = 'half done'`);
        throw new Error('the git server is down');
      },
      async compensate() { compensated.push('test-explodes'); },
    });
    try {
      const before = await counts();
      const res = await signup({ email: 'grace@example.com', password: PASSWORD, name: 'Grace', companyName: 'Compilers Inc' });
      assert.equal(res.statusCode, 500, res.body);
      assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
      const problem = res.json();
      assert.equal(problem.code, 'PROVISIONING_FAILED');
      assert.doesNotMatch(res.body, /git server/, 'internals do not leak');
      // The steps ran with the provisioned user and workspace, then were undone, newest first;
      // the failed step itself completed nothing, so it has nothing to compensate.
      assert.deepEqual(seen, { a: 'grace@example.com', b: 'compilers-inc' });
      assert.deepEqual(compensated, ['test-external-b', 'test-external-a']);
      assert.deepEqual(await counts(), before);
      const leftovers = await platform.db.withPlatform((tx) => tx.query(`select 1 from users where email = 'grace@example.com' union all select 1 from workspaces where slug = 'compilers-inc'`));
      assert.equal(leftovers.rowCount, 0);
    } finally {
      removeA();
      removeB();
      removeBoom();
    }
    // Once the failing step is gone, the same signup succeeds.
    const retry = await signup({ email: 'grace@example.com', password: PASSWORD, name: 'Grace', companyName: 'Compilers Inc' });
    assert.equal(retry.statusCode, 201, retry.body);
  });

  test('the log names the failed step (and the client still gets only PROVISIONING_FAILED)', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'error' }, { write: (line: string) => void lines.push(line) });
    const onboarding = createOnboardingModule({ config: platform.config, db: platform.db, log }, { identity: platform.identity, mail: platform.mail, tenancy: platform.tenancy, audit: platform.audit });
    onboarding.registerProvisioningStep({ name: 'test-secrets-namespace', async run() { throw new Error('vault is sealed'); } });
    await assert.rejects(
      onboarding.signUp({ email: 'logged@example.com', password: PASSWORD, name: 'L', companyName: 'Logged' }),
      (err: Error & { code?: string; detail?: string }) => err.code === 'PROVISIONING_FAILED' && !/vault/.test(err.message),
    );
    const entries = lines.map((l) => JSON.parse(l));
    const entry = entries.find((e) => e.step === 'test-secrets-namespace');
    assert.ok(entry, lines.join('\n'));
    assert.match(entry.msg, /provisioning step "test-secrets-namespace"/);
    assert.match(entry.err.message, /vault is sealed/);
    assert.equal(await platform.db.withPlatform(async (tx) => (await tx.query(`select 1 from users where email = 'logged@example.com'`)).rowCount), 0);
  });

  test('a weak password is a 400 and creates nothing', async () => {
    const before = await counts();
    const res = await signup({ email: 'weak@example.com', password: 'short', name: 'Weak', companyName: 'Weak Co' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'WEAK_PASSWORD');
    const repeated = await signup({ email: 'weak@example.com', password: 'aaaaaaaaaaaaaaa', name: 'Weak', companyName: 'Weak Co' });
    assert.equal(repeated.statusCode, 400);
    assert.deepEqual(await counts(), before);
  });

  test('invalid input is a 400 naming the field', async () => {
    const bad = await signup({ email: 'not-an-email', password: PASSWORD, name: 'X', companyName: 'Y' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'VALIDATION_FAILED');
    assert.match(bad.json().detail, /email/);
    const missing = await signup({ email: 'ok@example.com', password: PASSWORD, name: 'X' });
    assert.equal(missing.statusCode, 400);
    assert.match(missing.json().detail, /companyName/);
    const blank = await signup({ email: 'ok@example.com', password: PASSWORD, name: '   ', companyName: 'Y' });
    assert.equal(blank.statusCode, 400);
    const extra = await signup({ email: 'ok@example.com', password: PASSWORD, name: 'X', companyName: 'Y', isPlatformAdmin: true });
    assert.equal(extra.statusCode, 400);
  });

  test('two concurrent signups with the same email: one created, one already_created', async () => {
    const before = await counts();
    const body = { email: 'race@example.com', password: PASSWORD, name: 'Racer', companyName: 'Race Condition Ltd' };
    const results = await Promise.all([signup(body), signup({ ...body, email: 'RACE@example.com' })]);
    const statuses = results.map((r) => r.json().status).sort();
    assert.deepEqual(statuses, ['already_created', 'created']);
    assert.deepEqual(results.map((r) => r.statusCode).sort(), [200, 201]);
    const after = await counts();
    assert.equal(after.users, before.users + 1);
    assert.equal(after.workspaces, before.workspaces + 1);
    assert.equal(after.mails, before.mails + 1);
  });

  test('losing the race on the email inside the transaction still answers already_created and leaves nothing', async () => {
    // Another signup holds an uncommitted user with this email: ours passes the early check,
    // then its insert waits on that row's lock; when the other commits, ours must back out.
    const other = new pg.Client({ connectionString: platform.ownerUrl });
    await other.connect();
    try {
      await other.query('begin');
      await other.query(`insert into users (email, name) values ('blocked@example.com', 'First')`);
      const before = await counts();
      const pending = signup({ email: 'blocked@example.com', password: PASSWORD, name: 'Second', companyName: 'Blocked Co' });
      let isWaiting = false;
      for (let i = 0; i < 1000 && !isWaiting; i++) {
        const { rows } = await platform.db.owner.query<{ n: number }>(
          `select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
        isWaiting = rows[0].n > 0;
        if (!isWaiting) await new Promise((r) => setTimeout(r, 10));
      }
      assert.ok(isWaiting, 'the signup reached its insert and waits for the other transaction');
      await other.query('commit');
      const res = await pending;
      assert.equal(res.statusCode, 200, res.body);
      assert.deepEqual(res.json(), { status: 'already_created' });
      const after = await counts();
      assert.equal(after.users, before.users + 1, 'only the other signup\'s user');
      assert.equal(after.workspaces, before.workspaces);
      assert.equal(after.mails, before.mails);
    } finally {
      await other.end();
    }
  });
});
