// Every mutating route of the foundation emits its audit event, in the right workspace's chain,
// with the request's context (request id, IP, user agent) and the right actor. Table-driven:
// one row per route (and per outcome that matters); a last test checks that every mutating
// route under the foundation's paths has a row, so a new route can't forget its event.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { Secret, TOTP } from 'otpauth';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
type Expected = { workspaceId: string; action: string | string[]; actorType: string; actorId?: string | null; targetId?: string | null; outcome?: string };
type Case = { route: string; name: string; run: (requestId: string) => Promise<Expected> };

const PASSWORD = 'a long enough password';

describe('every foundation mutation emits its audit event', () => {
  let platform: TestPlatform;
  // Owner of workspace A (signed up through the API), and the platform admin.
  const a = { userId: '', workspaceId: '', token: '', refreshToken: '', sessionId: '', email: 'owner@emit.test' };
  const admin = { userId: '', workspaceId: '', token: '' };
  const secrets: string[] = [PASSWORD];

  before(async () => {
    platform = await startTestPlatform();
  });
  after(async () => {
    await platform.stop();
  });

  async function call(method: Method, url: string, token: string | null, payload: Record<string, unknown> | undefined, requestId: string) {
    return platform.app.inject({
      method, url: `/api/v1${url}`,
      headers: { 'x-request-id': requestId, 'user-agent': 'emission-test/1.0', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(payload ? { payload } : {}),
    });
  }

  async function ok(method: Method, url: string, token: string | null, payload: Record<string, unknown> | undefined, requestId: string, status = 200) {
    const res = await call(method, url, token, payload, requestId);
    assert.equal(res.statusCode, status, `${method} ${url}: ${res.body}`);
    return res;
  }

  /** Set-up calls carry their own request id, so they never match the case's. */
  const setupId = () => `setup-${randomBytes(6).toString('hex')}`;

  async function loginAs(email: string, password = PASSWORD, workspace?: string) {
    const res = await ok('POST', '/auth/login', null, { email, password, ...(workspace ? { workspace } : {}) }, setupId());
    secrets.push(res.json().accessToken, res.json().refreshToken);
    return res.json() as { accessToken: string; refreshToken: string; sessionId: string; workspaceId: string };
  }

  async function signup(email: string, companyName: string, requestId = setupId()) {
    const res = await ok('POST', '/onboard/signup', null, { email, password: PASSWORD, name: 'Emitter', companyName }, requestId, 201);
    const b = res.json();
    secrets.push(b.accessToken, b.refreshToken);
    return { userId: b.user.id as string, workspaceId: b.workspace.id as string, token: b.accessToken as string, refreshToken: b.refreshToken as string, sessionId: b.sessionId as string };
  }

  /** A new user who is `role` in workspace A (invited and accepted through the API). */
  async function memberOfA(role: 'admin' | 'member' | 'viewer') {
    const email = `m-${randomBytes(4).toString('hex')}@emit.test`;
    await ok('POST', '/invitations', a.token, { email, role }, setupId(), 201);
    const token = await invitationToken(email);
    const res = await ok('POST', '/invitations/accept', null, { token, password: PASSWORD, name: 'Member' }, setupId());
    const me = (await ok('GET', '/auth/me', res.json().accessToken, undefined, setupId())).json();
    return { userId: me.user.id as string, email, token: res.json().accessToken as string, sessionId: res.json().sessionId as string };
  }

  async function invitationToken(email: string): Promise<string> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ text_body: string }>(
      `select text_body from outbox_messages where to_address = $1 and kind = 'invitation' order by id desc limit 1`, [email]));
    const m = /\/invite\/([A-Za-z0-9_-]+)/.exec(rows[0]?.text_body ?? '');
    assert.ok(m, 'invitation mail with its link');
    secrets.push(m[1]);
    return m[1];
  }

  let totpSecret = '';
  let recoveryCodes: string[] = [];
  let inviteId = '';
  let apiKeyId = '';
  let childId = '';
  let target = { workspaceId: '', slug: '' };

  const cases: Case[] = [
    {
      route: 'POST /api/v1/onboard/signup', name: 'signup: workspace.created and user.signed_up, by the new user',
      async run(rid) {
        const created = await signup(a.email, 'Emission Agency', rid);
        Object.assign(a, created);
        return { workspaceId: a.workspaceId, action: ['workspace.created', 'user.signed_up'], actorType: 'user', actorId: a.userId };
      },
    },
    {
      route: 'POST /api/v1/auth/login', name: 'login success: user.logged_in',
      async run(rid) {
        const res = await ok('POST', '/auth/login', null, { email: a.email, password: PASSWORD }, rid);
        return { workspaceId: a.workspaceId, action: 'user.logged_in', actorType: 'user', actorId: a.userId, targetId: res.json().sessionId };
      },
    },
    {
      route: 'POST /api/v1/auth/login', name: 'login failure (known user): user.login_failed, outcome failure',
      async run(rid) {
        assert.equal((await call('POST', '/auth/login', null, { email: a.email, password: 'not the password at all' }, rid)).statusCode, 401);
        return { workspaceId: a.workspaceId, action: 'user.login_failed', actorType: 'user', actorId: a.userId, targetId: a.userId, outcome: 'failure' };
      },
    },
    {
      route: 'POST /api/v1/auth/refresh', name: 'refresh-token reuse: session.revoked (system)',
      async run(rid) {
        const s = await loginAs(a.email);
        await ok('POST', '/auth/refresh', null, { refreshToken: s.refreshToken }, setupId());
        assert.equal((await call('POST', '/auth/refresh', null, { refreshToken: s.refreshToken }, rid)).statusCode, 401);
        return { workspaceId: a.workspaceId, action: 'session.revoked', actorType: 'system', actorId: null, targetId: s.sessionId };
      },
    },
    {
      route: 'POST /api/v1/auth/logout', name: 'logout: user.logged_out',
      async run(rid) {
        const s = await loginAs(a.email);
        await ok('POST', '/auth/logout', s.accessToken, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'user.logged_out', actorType: 'user', actorId: a.userId, targetId: s.sessionId };
      },
    },
    {
      route: 'DELETE /api/v1/auth/sessions/:id', name: 'revoke one of my sessions: session.revoked',
      async run(rid) {
        const other = await loginAs(a.email);
        await ok('DELETE', `/auth/sessions/${other.sessionId}`, a.token, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'session.revoked', actorType: 'user', actorId: a.userId, targetId: other.sessionId };
      },
    },
    {
      route: 'POST /api/v1/workspaces', name: 'create a child workspace: workspace.created in the child\'s chain',
      async run(rid) {
        const res = await ok('POST', '/workspaces', a.token, { name: 'Emission Project', kind: 'project' }, rid, 201);
        childId = res.json().id;
        return { workspaceId: childId, action: 'workspace.created', actorType: 'user', actorId: a.userId, targetId: childId };
      },
    },
    {
      route: 'POST /api/v1/auth/switch', name: 'switch: session.workspace_switched in the workspace entered',
      async run(rid) {
        const s = await loginAs(a.email);
        await ok('POST', '/auth/switch', s.accessToken, { workspaceId: childId }, rid);
        return { workspaceId: childId, action: 'session.workspace_switched', actorType: 'user', actorId: a.userId, targetId: s.sessionId };
      },
    },
    {
      route: 'POST /api/v1/auth/password', name: 'password change: user.password_changed',
      async run(rid) {
        const user = await memberOfA('member');
        const next = 'another long password';
        secrets.push(next);
        await ok('POST', '/auth/password', user.token, { currentPassword: PASSWORD, newPassword: next }, rid);
        return { workspaceId: a.workspaceId, action: 'user.password_changed', actorType: 'user', actorId: user.userId, targetId: user.userId };
      },
    },
    {
      route: 'PATCH /api/v1/auth/preferences', name: 'impersonation opt-out: user.preferences_updated',
      async run(rid) {
        const user = await memberOfA('member');
        await ok('PATCH', '/auth/preferences', user.token, { allowImpersonation: false }, rid);
        return { workspaceId: a.workspaceId, action: 'user.preferences_updated', actorType: 'user', actorId: user.userId, targetId: user.userId };
      },
    },
    {
      route: 'POST /api/v1/auth/mfa/enroll', name: 'MFA enroll: user.mfa_enrolled',
      async run(rid) {
        const res = await ok('POST', '/auth/mfa/enroll', a.token, undefined, rid);
        totpSecret = res.json().secret;
        secrets.push(totpSecret);
        return { workspaceId: a.workspaceId, action: 'user.mfa_enrolled', actorType: 'user', actorId: a.userId, targetId: a.userId };
      },
    },
    {
      route: 'POST /api/v1/auth/mfa/verify', name: 'MFA verify: user.mfa_enabled',
      async run(rid) {
        const code = TOTP.generate({ secret: Secret.fromBase32(totpSecret), algorithm: 'SHA1', digits: 6, period: 30 });
        const res = await ok('POST', '/auth/mfa/verify', a.token, { code }, rid);
        recoveryCodes = res.json().recoveryCodes;
        secrets.push(...recoveryCodes);
        return { workspaceId: a.workspaceId, action: 'user.mfa_enabled', actorType: 'user', actorId: a.userId, targetId: a.userId };
      },
    },
    {
      route: 'POST /api/v1/auth/login/mfa', name: 'login with a second factor: user.logged_in',
      async run(rid) {
        const first = await ok('POST', '/auth/login', null, { email: a.email, password: PASSWORD }, setupId());
        assert.equal(first.json().mfaRequired, true);
        const res = await ok('POST', '/auth/login/mfa', null, { challengeToken: first.json().challengeToken, code: recoveryCodes.shift()! }, rid);
        return { workspaceId: a.workspaceId, action: 'user.logged_in', actorType: 'user', actorId: a.userId, targetId: res.json().sessionId };
      },
    },
    {
      route: 'POST /api/v1/auth/mfa/recovery-codes', name: 'recovery codes regenerated: user.mfa_recovery_codes_regenerated',
      async run(rid) {
        const res = await ok('POST', '/auth/mfa/recovery-codes', a.token, { code: recoveryCodes.shift()! }, rid);
        recoveryCodes = res.json().recoveryCodes;
        secrets.push(...recoveryCodes);
        return { workspaceId: a.workspaceId, action: 'user.mfa_recovery_codes_regenerated', actorType: 'user', actorId: a.userId, targetId: a.userId };
      },
    },
    {
      route: 'POST /api/v1/auth/mfa/disable', name: 'MFA disabled: user.mfa_disabled',
      async run(rid) {
        await ok('POST', '/auth/mfa/disable', a.token, { password: PASSWORD, code: recoveryCodes.shift()! }, rid, 204);
        return { workspaceId: a.workspaceId, action: 'user.mfa_disabled', actorType: 'user', actorId: a.userId, targetId: a.userId };
      },
    },
    {
      route: 'POST /api/v1/api-keys', name: 'API key created: api_key.created',
      async run(rid) {
        const res = await ok('POST', '/api-keys', a.token, { name: 'ci', role: 'member' }, rid, 201);
        apiKeyId = res.json().id;
        secrets.push(res.json().key);
        return { workspaceId: a.workspaceId, action: 'api_key.created', actorType: 'user', actorId: a.userId, targetId: apiKeyId };
      },
    },
    {
      route: 'PUT /api/v1/api-keys/:id/roles', name: 'API key\'s custom roles changed: api_key.roles_changed',
      async run(rid) {
        const role = await ok('POST', '/roles', a.token, { name: 'Key auditor', permissions: [{ permission: 'audit.read' }] }, setupId(), 201);
        await ok('PUT', `/api-keys/${apiKeyId}/roles`, a.token, { roleIds: [role.json().id] }, rid, 200);
        return { workspaceId: a.workspaceId, action: 'api_key.roles_changed', actorType: 'user', actorId: a.userId, targetId: apiKeyId };
      },
    },
    {
      route: 'DELETE /api/v1/api-keys/:id', name: 'API key revoked: api_key.revoked',
      async run(rid) {
        await ok('DELETE', `/api-keys/${apiKeyId}`, a.token, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'api_key.revoked', actorType: 'user', actorId: a.userId, targetId: apiKeyId };
      },
    },
    {
      route: 'POST /api/v1/invitations', name: 'invitation created (by an API key): invitation.created',
      async run(rid) {
        const key = await ok('POST', '/api-keys', a.token, { name: 'inviter', role: 'admin' }, setupId(), 201);
        secrets.push(key.json().key);
        const res = await ok('POST', '/invitations', key.json().key, { email: 'invitee@emit.test', role: 'viewer' }, rid, 201);
        inviteId = res.json().id;
        return { workspaceId: a.workspaceId, action: 'invitation.created', actorType: 'api_key', actorId: key.json().id, targetId: inviteId };
      },
    },
    {
      route: 'DELETE /api/v1/invitations/:id', name: 'invitation revoked: invitation.revoked',
      async run(rid) {
        await ok('DELETE', `/invitations/${inviteId}`, a.token, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'invitation.revoked', actorType: 'user', actorId: a.userId, targetId: inviteId };
      },
    },
    {
      route: 'POST /api/v1/invitations/accept', name: 'invitation accepted: invitation.accepted, by the new user',
      async run(rid) {
        const created = await ok('POST', '/invitations', a.token, { email: 'joiner@emit.test', role: 'member' }, setupId(), 201);
        const token = await invitationToken('joiner@emit.test');
        const res = await ok('POST', '/invitations/accept', null, { token, password: PASSWORD, name: 'Joiner' }, rid);
        const me = (await ok('GET', '/auth/me', res.json().accessToken, undefined, setupId())).json();
        return { workspaceId: a.workspaceId, action: 'invitation.accepted', actorType: 'user', actorId: me.user.id, targetId: created.json().id };
      },
    },
    {
      route: 'PATCH /api/v1/members/:userId', name: 'member role changed: member.role_changed',
      async run(rid) {
        const m = await memberOfA('viewer');
        await ok('PATCH', `/members/${m.userId}`, a.token, { role: 'member' }, rid);
        return { workspaceId: a.workspaceId, action: 'member.role_changed', actorType: 'user', actorId: a.userId, targetId: m.userId };
      },
    },
    {
      route: 'PUT /api/v1/members/:userId/roles', name: 'member custom roles set: member.roles_changed',
      async run(rid) {
        const m = await memberOfA('viewer');
        const role = await ok('POST', '/roles', a.token, { name: `Readers ${rid}`, permissions: [{ permission: 'api_key.read' }] }, setupId(), 201);
        await ok('PUT', `/members/${m.userId}/roles`, a.token, { roleIds: [role.json().id] }, rid);
        return { workspaceId: a.workspaceId, action: 'member.roles_changed', actorType: 'user', actorId: a.userId, targetId: m.userId };
      },
    },
    {
      route: 'DELETE /api/v1/members/:userId', name: 'member removed: member.removed',
      async run(rid) {
        const m = await memberOfA('viewer');
        await ok('DELETE', `/members/${m.userId}`, a.token, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'member.removed', actorType: 'user', actorId: a.userId, targetId: m.userId };
      },
    },
    {
      route: 'DELETE /api/v1/members/:userId', name: 'member leaves: member.left',
      async run(rid) {
        const m = await memberOfA('member');
        await ok('DELETE', `/members/${m.userId}`, m.token, undefined, rid, 204);
        return { workspaceId: a.workspaceId, action: 'member.left', actorType: 'user', actorId: m.userId, targetId: m.userId };
      },
    },
    {
      route: 'PATCH /api/v1/workspaces/current', name: 'workspace updated: workspace.updated with the changed values',
      async run(rid) {
        await ok('PATCH', '/workspaces/current', a.token, { name: 'Emission Agency II', settings: { timezone: 'Europe/Paris' } }, rid);
        return { workspaceId: a.workspaceId, action: 'workspace.updated', actorType: 'user', actorId: a.userId, targetId: a.workspaceId };
      },
    },
    {
      route: 'DELETE /api/v1/workspaces/current', name: 'workspace deleted by its owner: workspace.deleted',
      async run(rid) {
        const other = await signup('deleter@emit.test', 'Short Lived');
        await ok('DELETE', '/workspaces/current', other.token, undefined, rid, 204);
        return { workspaceId: other.workspaceId, action: 'workspace.deleted', actorType: 'user', actorId: other.userId, targetId: other.workspaceId };
      },
    },
    {
      route: 'POST /api/v1/admin/workspaces', name: 'platform admin creates a workspace: workspace.created (platform_admin)',
      async run(rid) {
        const created = await platform.admin.createPlatformAdmin({ email: 'root@emit.test', password: 'operator password 1', name: 'Root' });
        admin.userId = created.user.id;
        admin.workspaceId = created.workspace.id;
        admin.token = (await loginAs('root@emit.test', 'operator password 1')).accessToken;
        const res = await ok('POST', '/admin/workspaces', admin.token, { name: 'Managed Client' }, rid, 201);
        target = { workspaceId: res.json().id, slug: res.json().slug };
        return { workspaceId: target.workspaceId, action: 'workspace.created', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
    {
      route: 'POST /api/v1/admin/workspaces/:id/suspend', name: 'suspend: workspace.suspended',
      async run(rid) {
        await ok('POST', `/admin/workspaces/${target.workspaceId}/suspend`, admin.token, { reason: 'unpaid' }, rid);
        return { workspaceId: target.workspaceId, action: 'workspace.suspended', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
    {
      route: 'PATCH /api/v1/admin/workspaces/:id', name: 'account change: workspace.account_updated (platform_admin)',
      async run(rid) {
        await ok('PATCH', `/admin/workspaces/${target.workspaceId}`, admin.token, { plan: 'pro', notes: 'Invoiced yearly' }, rid);
        return { workspaceId: target.workspaceId, action: 'workspace.account_updated', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
    {
      route: 'PUT /api/v1/admin/workspaces/:id/quotas', name: 'AI limits above the plan: quota.updated (platform_admin)',
      async run(rid) {
        await ok('PUT', `/admin/workspaces/${target.workspaceId}/quotas`, admin.token, { scope: 'workspace', monthlyTokens: 500_000_000, monthlyCostMicros: null }, rid);
        return { workspaceId: target.workspaceId, action: 'quota.updated', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
    {
      route: 'POST /api/v1/admin/workspaces/:id/restore', name: 'restore: workspace.restored',
      async run(rid) {
        await ok('POST', `/admin/workspaces/${target.workspaceId}/restore`, admin.token, undefined, rid);
        return { workspaceId: target.workspaceId, action: 'workspace.restored', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
    {
      route: 'POST /api/v1/admin/workspaces/:id/logout', name: 'force logout of a workspace: workspace.sessions_revoked',
      async run(rid) {
        await ok('POST', `/admin/workspaces/${a.workspaceId}/logout`, admin.token, undefined, rid);
        a.token = (await loginAs(a.email)).accessToken;
        return { workspaceId: a.workspaceId, action: 'workspace.sessions_revoked', actorType: 'platform_admin', actorId: admin.userId, targetId: a.workspaceId };
      },
    },
    {
      route: 'POST /api/v1/admin/users/:id/logout', name: 'force logout of a user: user.sessions_revoked in each of their workspaces',
      async run(rid) {
        await ok('POST', `/admin/users/${a.userId}/logout`, admin.token, undefined, rid);
        const { rows } = await platform.db.withPlatform((tx) => tx.query<{ workspace_id: string }>(
          `select workspace_id from audit_events where request_id = $1 order by workspace_id`, [rid]));
        assert.deepEqual(rows.map((r) => r.workspace_id), [a.workspaceId, childId].sort(), 'one event per workspace of the user');
        a.token = (await loginAs(a.email)).accessToken;
        return { workspaceId: a.workspaceId, action: 'user.sessions_revoked', actorType: 'platform_admin', actorId: admin.userId, targetId: a.userId };
      },
    },
    {
      route: 'DELETE /api/v1/admin/workspaces/:id', name: 'platform admin deletes a workspace: workspace.deleted',
      async run(rid) {
        await ok('DELETE', `/admin/workspaces/${target.workspaceId}`, admin.token, undefined, rid);
        return { workspaceId: target.workspaceId, action: 'workspace.deleted', actorType: 'platform_admin', actorId: admin.userId, targetId: target.workspaceId };
      },
    },
  ];

  cases.forEach((c, i) => {
    test(`${c.route} — ${c.name}`, async () => {
      const rid = `emit-${i}-${randomBytes(6).toString('hex')}`;
      const expected = await c.run(rid);
      const { rows } = await platform.db.withPlatform((tx) => tx.query<{ action: string; actor_type: string; actor_id: string | null; target_id: string | null; outcome: string; ip: string; user_agent: string }>(
        `select action, actor_type, actor_id, target_id, outcome, ip, user_agent from audit_events where workspace_id = $1 and request_id = $2 order by id`,
        [expected.workspaceId, rid]));
      const actions = Array.isArray(expected.action) ? expected.action : [expected.action];
      assert.deepEqual(rows.map((r) => r.action), actions, `events of ${c.route} in its workspace`);
      for (const row of rows) {
        assert.equal(row.actor_type, expected.actorType);
        if (expected.actorId !== undefined) assert.equal(row.actor_id, expected.actorId);
        assert.equal(row.outcome, expected.outcome ?? 'success');
        assert.equal(row.ip, '127.0.0.1');
        assert.equal(row.user_agent, 'emission-test/1.0');
      }
      if (expected.targetId !== undefined) assert.equal(rows[rows.length - 1].target_id, expected.targetId);
    });
  });

  test('the platform admin created from the CLI or at start-up: platform_admin.created in their workspace', async () => {
    const created = await platform.admin.createPlatformAdmin({ email: 'cli-root@emit.test', password: 'operator password 2' });
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ action: string; actor_type: string; user_agent: string }>(
      'select action, actor_type, user_agent from audit_events where workspace_id = $1 order by id', [created.workspace.id]));
    assert.deepEqual(rows.map((r) => [r.action, r.actor_type, r.user_agent]), [
      ['workspace.created', 'system', 'atrium-cli'],
      ['platform_admin.created', 'system', 'atrium-cli'],
    ]);
  });

  test('a failed login for an unknown email records nothing (no workspace to record it in)', async () => {
    const rid = `emit-unknown-${randomBytes(6).toString('hex')}`;
    assert.equal((await call('POST', '/auth/login', null, { email: 'nobody@emit.test', password: 'whatever password' }, rid)).statusCode, 401);
    const { rows } = await platform.db.withPlatform((tx) => tx.query('select 1 from audit_events where request_id = $1', [rid]));
    assert.equal(rows.length, 0);
  });

  test('no password, token, key, TOTP secret or recovery code appears in any audit row', async () => {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ t: string }>('select row_to_json(e)::text as t from audit_events e'));
    assert.ok(rows.length > 30);
    const all = rows.map((r) => r.t).join('\n');
    for (const secret of secrets.filter(Boolean)) assert.ok(!all.includes(secret), `a secret leaked into the audit trail (${secret.slice(0, 6)}…)`);
  });

  test('every chain written above verifies', async () => {
    const results = await platform.audit.verifyChains();
    assert.ok(results.length >= 5);
    for (const r of results) assert.equal(r.isValid, true, `${r.slug}: ${JSON.stringify(r)}`);
  });

  test('every mutating route of the foundation has a row above (new routes must emit too)', () => {
    const foundation = /^\/api\/v1\/(auth|api-keys|members|invitations|workspaces|onboard|admin\/(workspaces|users))(\/|$)/;
    const mutating = platform.routeTable.filter((r) => r.method !== 'GET' && foundation.test(r.url)).map((r) => `${r.method} ${r.url}`);
    const covered = new Set(cases.map((c) => c.route));
    assert.deepEqual(mutating.filter((r) => !covered.has(r)), []);
  });
});
