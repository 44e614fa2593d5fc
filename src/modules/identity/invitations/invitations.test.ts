// Invitations: create (mail in the outbox, same transaction), lookup, accept as a new or an
// existing user, revoke, and the rules around them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import type { AppError } from '../../../kernel/errors.ts';
import { systemContext } from '../../audit/index.ts';
import { createInvitation } from './create-invitation.ts';
import { bearer, contextOf, createMember, createUser, login, PASSWORD, uniqueEmail } from '../identity.fixtures.ts';

describe('invitations', () => {
  let platform: TestPlatform;
  before(async () => { platform = await startTestPlatform({ ATRIUM_PUBLIC_URL: 'https://atrium.example.test' }); });
  after(async () => { await platform.stop(); });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, token: string | null, payload?: Record<string, unknown>) =>
    platform.app.inject({ method, url: `/api/v1${url}`, headers: token ? bearer(token) : {}, ...(payload ? { payload } : {}) });

  async function inviter(role: 'owner' | 'admin' = 'admin') {
    const user = await createMember(platform, role);
    return { ...user, token: (await login(platform, user.email)).accessToken };
  }

  /** The accept token, read from the invitation mail in the outbox (the only place it exists). */
  async function tokenFromMail(workspaceId: string, to: string): Promise<string> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ text_body: string; html_body: string; kind: string; subject: string }>(
      `select text_body, html_body, kind, subject from outbox_messages where workspace_id = $1 and to_address = $2 order by id desc limit 1`, [workspaceId, to]));
    assert.equal(rows.length, 1, 'an invitation mail is in the outbox');
    assert.equal(rows[0].kind, 'invitation');
    const m = /https:\/\/atrium\.example\.test\/invite\/([A-Za-z0-9_-]+)/.exec(rows[0].text_body);
    assert.ok(m, rows[0].text_body);
    assert.ok(rows[0].html_body.includes(`/invite/${m[1]}`));
    return m[1];
  }

  test('invite → mail in the outbox → lookup → accept as a new user → listed as a member', async () => {
    const admin = await inviter();
    const email = uniqueEmail('newbie');
    const created = await call('POST', '/invitations', admin.token, { email: email.toUpperCase(), role: 'member' });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().email, email);
    assert.equal(created.json().invitedBy, admin.id);
    assert.equal(created.json().token, undefined);
    const days = (Date.parse(created.json().expiresAt) - Date.now()) / 86_400_000;
    assert.ok(days > 6.9 && days <= 7, `expires in ${days} days`);

    const pending = (await call('GET', '/invitations', admin.token)).json().data as Array<{ id: string }>;
    assert.deepEqual(pending.map((i) => i.id), [created.json().id]);

    const token = await tokenFromMail(admin.workspaceId, email);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ token_hash: string }>('select token_hash from invitations where id = $1', [created.json().id]));
    assert.notEqual(rows[0].token_hash, token);

    const lookup = await call('GET', `/invitations/lookup?token=${token}`, null);
    assert.equal(lookup.statusCode, 200, lookup.body);
    assert.equal(lookup.json().email, email);
    assert.equal(lookup.json().role, 'member');
    assert.equal(lookup.json().hasAccount, false);
    assert.match(lookup.json().workspaceName, /^Workspace /);

    const weak = await call('POST', '/invitations/accept', null, { token, password: 'short' });
    assert.equal(weak.statusCode, 400);
    assert.equal(weak.json().code, 'WEAK_PASSWORD');

    const accepted = await call('POST', '/invitations/accept', null, { token, password: 'a fine new password', name: 'New Person' });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.equal(accepted.json().workspaceId, admin.workspaceId);
    const me = (await call('GET', '/auth/me', accepted.json().accessToken)).json();
    assert.equal(me.user.email, email);
    assert.equal(me.user.name, 'New Person');
    assert.equal(me.role, 'member');
    assert.equal(me.workspace.id, admin.workspaceId);

    const members = (await call('GET', '/members', admin.token)).json().data as Array<{ email: string; role: string }>;
    assert.deepEqual(members.find((m) => m.email === email)?.role, 'member');
    assert.deepEqual((await call('GET', '/invitations', admin.token)).json().data, []);

    const again = await call('POST', '/invitations/accept', null, { token, password: 'a fine new password' });
    assert.equal(again.statusCode, 409);
    assert.equal(again.json().code, 'INVITATION_ALREADY_ACCEPTED');
    assert.equal((await call('GET', `/invitations/lookup?token=${token}`, null)).statusCode, 409);
  });

  test('accept as an existing user: the password must match; then the workspace is added to theirs', async () => {
    const admin = await inviter();
    const existing = await createMember(platform, 'owner');
    await call('POST', '/invitations', admin.token, { email: existing.email, role: 'viewer' });
    const token = await tokenFromMail(admin.workspaceId, existing.email);
    assert.equal((await call('GET', `/invitations/lookup?token=${token}`, null)).json().hasAccount, true);

    const wrong = await call('POST', '/invitations/accept', null, { token, password: 'not their password' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'INVALID_CREDENTIALS');
    const { rows } = await platform.db.withPlatform((tx) => tx.query('select 1 from memberships where workspace_id = $1 and user_id = $2', [admin.workspaceId, existing.id]));
    assert.equal(rows.length, 0);

    const ok = await call('POST', '/invitations/accept', null, { token, password: PASSWORD, name: 'ignored for existing accounts' });
    assert.equal(ok.statusCode, 200, ok.body);
    const me = (await call('GET', '/auth/me', ok.json().accessToken)).json();
    assert.equal(me.user.id, existing.id);
    assert.equal(me.user.name, 'Test User');
    assert.equal(me.role, 'viewer');
    assert.deepEqual(me.memberships.map((m: { workspaceId: string }) => m.workspaceId).sort(), [existing.workspaceId, admin.workspaceId].sort());
    const members = (await call('GET', '/members', admin.token)).json().data as Array<{ userId: string; role: string }>;
    assert.equal(members.find((m) => m.userId === existing.id)?.role, 'viewer');
    const { rows: accepted } = await platform.db.withPlatform((tx) => tx.query<{ accepted_by: string }>(
      'select accepted_by from invitations where workspace_id = $1 and accepted_at is not null', [admin.workspaceId]));
    assert.deepEqual(accepted, [{ accepted_by: existing.id }]);
  });

  test('an existing account with TOTP must give a code too', async () => {
    const admin = await inviter();
    const existing = await createMember(platform, 'owner');
    const session = await login(platform, existing.email);
    const { secret } = (await call('POST', '/auth/mfa/enroll', session.accessToken)).json();
    const step = Math.floor(Date.now() / 30_000);
    const code = (s: number) => TOTP.generate({ secret: Secret.fromBase32(secret), period: 30, timestamp: s * 30_000 });
    assert.equal((await call('POST', '/auth/mfa/verify', session.accessToken, { code: code(step) })).statusCode, 200);
    await call('POST', '/invitations', admin.token, { email: existing.email, role: 'member' });
    const token = await tokenFromMail(admin.workspaceId, existing.email);

    const noCode = await call('POST', '/invitations/accept', null, { token, password: PASSWORD });
    assert.equal(noCode.statusCode, 401);
    assert.equal(noCode.json().code, 'MFA_REQUIRED');
    const badCode = await call('POST', '/invitations/accept', null, { token, password: PASSWORD, code: code(step) });
    assert.equal(badCode.statusCode, 401);
    assert.equal(badCode.json().code, 'MFA_CODE_INVALID');
    const ok = await call('POST', '/invitations/accept', null, { token, password: PASSWORD, code: code(step + 1) });
    assert.equal(ok.statusCode, 200, ok.body);
  });

  test('already a member → 409 ALREADY_MEMBER; already invited → 409 INVITATION_PENDING; no mail either time', async () => {
    const admin = await inviter();
    const member = await createMember(platform, 'member', admin.workspaceId);
    const dup = await call('POST', '/invitations', admin.token, { email: member.email, role: 'viewer' });
    assert.equal(dup.statusCode, 409);
    assert.equal(dup.json().code, 'ALREADY_MEMBER');
    const email = uniqueEmail('twice');
    assert.equal((await call('POST', '/invitations', admin.token, { email, role: 'viewer' })).statusCode, 201);
    const twice = await call('POST', '/invitations', admin.token, { email, role: 'member' });
    assert.equal(twice.statusCode, 409);
    assert.equal(twice.json().code, 'INVITATION_PENDING');
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ to_address: string }>(
      'select to_address from outbox_messages where workspace_id = $1', [admin.workspaceId]));
    assert.deepEqual(rows.map((r) => r.to_address), [email]);
  });

  test('an expired invitation answers 410 and no longer blocks a new one', async () => {
    const admin = await inviter();
    const email = uniqueEmail('late');
    const first = (await call('POST', '/invitations', admin.token, { email, role: 'viewer' })).json();
    const token = await tokenFromMail(admin.workspaceId, email);
    await platform.db.withPlatform((tx) => tx.query(`update invitations set expires_at = now() - interval '1 minute' where id = $1`, [first.id]));
    const lookup = await call('GET', `/invitations/lookup?token=${token}`, null);
    assert.equal(lookup.statusCode, 410);
    assert.equal(lookup.json().code, 'INVITATION_EXPIRED');
    assert.equal((await call('POST', '/invitations/accept', null, { token, password: 'a fine new password' })).statusCode, 410);
    assert.equal((await call('GET', '/invitations', admin.token)).json().data.length, 0);
    assert.equal((await call('POST', '/invitations', admin.token, { email, role: 'viewer' })).statusCode, 201);
  });

  test('revoke: the link stops working (410); unknown or other workspace → 404', async () => {
    const admin = await inviter();
    const email = uniqueEmail('revoked');
    const inv = (await call('POST', '/invitations', admin.token, { email, role: 'member' })).json();
    const token = await tokenFromMail(admin.workspaceId, email);
    const other = await inviter('owner');
    const cross = await call('DELETE', `/invitations/${inv.id}`, other.token);
    assert.equal(cross.statusCode, 404);
    assert.equal(cross.json().code, 'INVITATION_NOT_FOUND');
    assert.ok(!(await call('GET', '/invitations', other.token)).json().data.some((i: { id: string }) => i.id === inv.id));
    assert.equal((await call('DELETE', `/invitations/${inv.id}`, admin.token)).statusCode, 204);
    assert.equal((await call('GET', `/invitations/lookup?token=${token}`, null)).statusCode, 410);
    const accept = await call('POST', '/invitations/accept', null, { token, password: 'a fine new password' });
    assert.equal(accept.statusCode, 410);
    const { rows } = await platform.db.withPlatform((tx) => tx.query('select 1 from users where lower(email) = $1', [email]));
    assert.equal(rows.length, 0, 'no account was created');
  });

  test('unknown token → 404; owner is no invitation role (400); members can\'t invite (403)', async () => {
    assert.equal((await call('GET', '/invitations/lookup?token=inv_never-issued-token', null)).statusCode, 404);
    assert.equal((await call('POST', '/invitations/accept', null, { token: 'inv_never-issued-token', password: 'whatever-it-is' })).statusCode, 404);
    const admin = await inviter('admin');
    const owner = await call('POST', '/invitations', admin.token, { email: uniqueEmail('x'), role: 'owner' });
    assert.equal(owner.statusCode, 400, 'owner is not an invitation role');
    const member = await createMember(platform, 'member');
    const memberToken = (await login(platform, member.email)).accessToken;
    assert.equal((await call('POST', '/invitations', memberToken, { email: uniqueEmail('y'), role: 'viewer' })).statusCode, 403);
    assert.equal((await call('POST', '/invitations', admin.token, { email: 'not-an-email', role: 'viewer' })).statusCode, 400);
  });

  test('a role above the inviter\'s own is refused: 403 ROLE_NOT_ALLOWED, nothing written', async () => {
    // Built-in roles that hold member.invite (owner, admin) outrank every invitation role, so the
    // rank rule is checked at the use-case, as a custom role holding member.invite would meet it.
    const member = await createMember(platform, 'member');
    const principal = { kind: 'user' as const, userId: member.id, apiKeyId: null, workspaceId: member.workspaceId, role: 'member' as const, sessionId: null, isPlatformAdmin: false };
    const email = uniqueEmail('escalate');
    await assert.rejects(createInvitation(contextOf(platform), principal, { email, role: 'admin' }, systemContext('test')), (err: AppError) => err.code === 'ROLE_NOT_ALLOWED' && err.status === 403);
    const { rows } = await platform.db.withPlatform((tx) => tx.query('select 1 from invitations where email = $1 union all select 1 from outbox_messages where to_address = $1', [email]));
    assert.equal(rows.length, 0);
  });

  test('an account created meanwhile with the invited email must then accept with its password', async () => {
    const admin = await inviter();
    const email = uniqueEmail('race');
    await call('POST', '/invitations', admin.token, { email, role: 'member' });
    const token = await tokenFromMail(admin.workspaceId, email);
    await createUser(platform, { email });
    const res = await call('POST', '/invitations/accept', null, { token, password: 'some other password' });
    assert.equal(res.statusCode, 401);
    assert.equal((await call('POST', '/invitations/accept', null, { token, password: PASSWORD })).statusCode, 200);
  });
});
