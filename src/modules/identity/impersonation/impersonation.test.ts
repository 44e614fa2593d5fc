// Guarded impersonation: who may start, every refusal, the 60-minute cap, the owner procedure
// (a second platform admin approves; the approval expires), the act claim and both actors in
// the audit trail, sensitive actions refused, stop, and tenant isolation.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestPlatform } from '../../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../../test/helpers/platform.ts';
import { addMember, bearer, createMember, createUser, createWorkspace, login } from '../identity.fixtures.ts';
import type { Tokens } from '../identity.fixtures.ts';

const REASON = 'Customer ticket #4521: dashboard shows no data';

type AuditRow = { action: string; actor_type: string; actor_id: string | null; real_actor_id: string | null; target_id: string | null; diff: Record<string, Record<string, unknown>> | null };

function claimsOf(accessToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('impersonation', () => {
  let platform: TestPlatform;
  // Workspace A: an owner, an admin and a member. Two platform admins with their own workspace.
  let a: { id: string };
  let owner: Awaited<ReturnType<typeof createMember>>;
  let adminA: Awaited<ReturnType<typeof createMember>>;
  let memberA: Awaited<ReturnType<typeof createMember>>;
  let root1: { id: string; session: Tokens };
  let root2: { id: string; session: Tokens };

  async function createPlatformAdmin(): Promise<{ id: string; session: Tokens }> {
    const ops = await createWorkspace(platform);
    const user = await createUser(platform);
    await platform.db.withPlatform((tx) => tx.query('update users set is_platform_admin = true where id = $1', [user.id]));
    await addMember(platform, ops.id, user.id, 'owner');
    return { id: user.id, session: await login(platform, user.email) };
  }

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, token: string, payload?: Record<string, unknown>) =>
    platform.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });

  const start = (token: string, payload: Record<string, unknown>) => call('POST', '/impersonation', token, { reason: REASON, ...payload });

  async function auditOf(workspaceId: string, where = 'true'): Promise<AuditRow[]> {
    const { rows } = await platform.db.withPlatform((tx) => tx.query<AuditRow>(
      `select action, actor_type, actor_id, real_actor_id, target_id, diff from audit_events where workspace_id = $1 and ${where} order by id`, [workspaceId]));
    return rows;
  }

  function assertRefused(res: { statusCode: number; body: string; headers: Record<string, unknown>; json(): { code: string } }, status: number, code: string): void {
    assert.equal(res.statusCode, status, res.body);
    assert.match(res.headers['content-type'] as string, /application\/problem\+json/);
    assert.equal(res.json().code, code);
  }

  before(async () => {
    platform = await startTestPlatform();
    a = await createWorkspace(platform);
    owner = await createMember(platform, 'owner', a.id);
    adminA = await createMember(platform, 'admin', a.id);
    memberA = await createMember(platform, 'member', a.id);
    root1 = await createPlatformAdmin();
    root2 = await createPlatformAdmin();
  });
  after(async () => { await platform.stop(); });

  test('a platform admin impersonates a member: act claim, the target\'s session, both actors in the audit trail', async () => {
    const res = await start(root1.session.accessToken, { userId: adminA.id, workspaceId: a.id });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    assert.equal(body.workspaceId, a.id);
    assert.equal(body.target.id, adminA.id);
    assert.equal(body.target.role, 'admin');
    assert.equal(body.impersonation.reason, REASON);
    assert.equal(body.impersonation.impersonatorId, root1.id);
    const claims = claimsOf(body.accessToken);
    assert.equal(claims.sub, adminA.id);
    assert.equal(claims.act, root1.id);
    assert.equal(claims.ws, a.id);
    assert.equal(claims.adm, undefined);

    const me = await call('GET', '/auth/me', body.accessToken);
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().user.id, adminA.id);

    const current = await call('GET', '/impersonation/current', body.accessToken);
    assert.equal(current.statusCode, 200, current.body);
    assert.equal(current.json().impersonation.impersonator.id, root1.id);
    assert.equal(current.json().impersonation.target.email, adminA.email);
    assert.equal((await call('GET', '/impersonation/current', root1.session.accessToken)).json().impersonation, null);

    // An action taken while impersonating is recorded with both actors.
    const renamed = await call('PATCH', '/workspaces/current', body.accessToken, { name: 'Renamed while impersonating' });
    assert.equal(renamed.statusCode, 200, renamed.body);
    const events = await auditOf(a.id);
    const started = events.find((e) => e.action === 'impersonation.started');
    assert.ok(started, 'impersonation.started is in the target workspace\'s chain');
    assert.equal(started.actor_type, 'platform_admin');
    assert.equal(started.actor_id, root1.id);
    assert.equal(started.target_id, adminA.id);
    assert.equal(started.diff?.after.reason, REASON);
    const update = events.find((e) => e.action === 'workspace.updated');
    assert.ok(update, 'the rename is audited');
    assert.equal(update.actor_type, 'user');
    assert.equal(update.actor_id, adminA.id);
    assert.equal(update.real_actor_id, root1.id);

    // A refresh keeps the act claim.
    const refreshed = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: body.refreshToken } });
    assert.equal(refreshed.statusCode, 200, refreshed.body);
    assert.equal(claimsOf(refreshed.json().accessToken).act, root1.id);

    // Stop: the session is revoked, its tokens stop working; the admin's own session is untouched.
    const stopped = await call('POST', '/impersonation/stop', refreshed.json().accessToken);
    assert.equal(stopped.statusCode, 200, stopped.body);
    assert.equal(stopped.json().impersonationId, body.impersonation.id);
    assertRefused(await call('GET', '/auth/me', refreshed.json().accessToken), 401, 'TOKEN_INVALID');
    const again = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: refreshed.json().refreshToken } });
    assertRefused(again, 401, 'REFRESH_TOKEN_INVALID');
    assert.equal((await call('GET', '/auth/me', root1.session.accessToken)).json().user.id, root1.id);
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ revoked_reason: string; ended_at: Date | null }>(
      'select s.revoked_reason, i.ended_at from sessions s join impersonations i on i.session_id = s.id where s.id = $1', [body.sessionId]));
    assert.equal(rows[0].revoked_reason, 'impersonation_stopped');
    assert.ok(rows[0].ended_at);
    const stop = (await auditOf(a.id)).find((e) => e.action === 'impersonation.stopped');
    assert.ok(stop);
    assert.equal(stop.actor_id, adminA.id);
    assert.equal(stop.real_actor_id, root1.id);

    // Stop with an ordinary session: nothing to stop.
    assertRefused(await call('POST', '/impersonation/stop', root1.session.accessToken), 409, 'NOT_IMPERSONATING');
  });

  test('refusals: oneself, platform admins, owners without approval, opted-out users, no right to impersonate', async () => {
    assertRefused(await start(root1.session.accessToken, { userId: root1.id }), 403, 'IMPERSONATION_SELF');
    assertRefused(await start(root1.session.accessToken, { userId: root2.id }), 403, 'IMPERSONATION_TARGET_PLATFORM_ADMIN');
    assertRefused(await start(root1.session.accessToken, { userId: owner.id, workspaceId: a.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');
    // A workspace owner holds impersonation.start, but impersonating another owner needs the procedure.
    const coOwner = await createMember(platform, 'owner', a.id);
    const ownerSession = await login(platform, owner.email);
    assertRefused(await start(ownerSession.accessToken, { userId: coOwner.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');
    // Admins and members don't hold impersonation.start by default.
    const adminSession = await login(platform, adminA.email);
    assertRefused(await start(adminSession.accessToken, { userId: memberA.id }), 403, 'IMPERSONATION_NOT_ALLOWED');
    const memberSession = await login(platform, memberA.email);
    assertRefused(await start(memberSession.accessToken, { userId: adminA.id }), 403, 'IMPERSONATION_NOT_ALLOWED');
    // Input: a reason of at least 10 characters, at most 60 minutes.
    assertRefused(await start(root1.session.accessToken, { userId: memberA.id, reason: 'too short' }), 400, 'VALIDATION_FAILED');
    assertRefused(await start(root1.session.accessToken, { userId: memberA.id, durationMinutes: 61 }), 400, 'VALIDATION_FAILED');
    // An unknown user, or one outside the named workspace: 404.
    assertRefused(await start(root1.session.accessToken, { userId: '0190a0a0-0000-7000-8000-000000000000' }), 404, 'IMPERSONATION_TARGET_NOT_FOUND');
    const elsewhere = await createWorkspace(platform);
    assertRefused(await start(root1.session.accessToken, { userId: memberA.id, workspaceId: elsewhere.id }), 404, 'IMPERSONATION_TARGET_NOT_FOUND');
  });

  test('a user opts out (audited), and is then refused; opting back in allows it again', async () => {
    const user = await createMember(platform, 'member', a.id);
    const session = await login(platform, user.email, undefined, a.id);
    assert.deepEqual((await call('GET', '/auth/preferences', session.accessToken)).json(), { allowImpersonation: true });
    const optOut = await call('PATCH', '/auth/preferences', session.accessToken, { allowImpersonation: false });
    assert.equal(optOut.statusCode, 200, optOut.body);
    assert.deepEqual(optOut.json(), { allowImpersonation: false });
    const [event] = await auditOf(a.id, `action = 'user.preferences_updated' and target_id = '${user.id}'`);
    assert.ok(event, 'the opt-out is audited');
    assert.equal(event.actor_id, user.id);
    assert.deepEqual(event.diff, { before: { allowImpersonation: true }, after: { allowImpersonation: false } });

    assertRefused(await start(root1.session.accessToken, { userId: user.id, workspaceId: a.id }), 403, 'IMPERSONATION_OPTED_OUT');
    assertRefused(await call('POST', '/impersonation/requests', root1.session.accessToken, { userId: user.id, workspaceId: a.id, reason: REASON }), 403, 'IMPERSONATION_OPTED_OUT');
    await call('PATCH', '/auth/preferences', session.accessToken, { allowImpersonation: true });
    assert.equal((await start(root1.session.accessToken, { userId: user.id, workspaceId: a.id })).statusCode, 201);
  });

  test('the 60-minute cap: session and record expire within the hour; past it, access and refresh are refused', async () => {
    const res = await start(root1.session.accessToken, { userId: memberA.id, workspaceId: a.id });
    assert.equal(res.statusCode, 201, res.body);
    const body = res.json();
    const { rows } = await platform.db.withPlatform((tx) => tx.query<{ session_minutes: number; record_minutes: number }>(
      `select extract(epoch from s.expires_at - s.created_at) / 60 as session_minutes, extract(epoch from i.expires_at - i.started_at) / 60 as record_minutes
       from sessions s join impersonations i on i.session_id = s.id where s.id = $1`, [body.sessionId]));
    assert.equal(Number(rows[0].session_minutes), 60);
    assert.equal(Number(rows[0].record_minutes), 60);
    assert.equal(Date.parse(body.impersonation.expiresAt) - Date.parse(body.impersonation.startedAt), 60 * 60_000);

    const short = (await start(root1.session.accessToken, { userId: memberA.id, workspaceId: a.id, durationMinutes: 5 })).json();
    assert.equal(Date.parse(short.impersonation.expiresAt) - Date.parse(short.impersonation.startedAt), 5 * 60_000);

    // The table itself refuses a longer impersonation, whatever the code does.
    await assert.rejects(platform.db.withPlatform((tx) => tx.query(
      `update impersonations set expires_at = started_at + interval '61 minutes' where session_id = $1`, [body.sessionId])), /check constraint/);

    // Test hook on the database clock: the hour has passed.
    await platform.db.withPlatform((tx) => tx.query(
      `update sessions set created_at = now() - interval '61 minutes', expires_at = now() - interval '1 minute' where id = $1`, [body.sessionId]));
    platform.identity.invalidateSessionCache(body.sessionId);
    assertRefused(await call('GET', '/auth/me', body.accessToken), 401, 'TOKEN_INVALID');
    const refreshed = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: body.refreshToken } });
    assertRefused(refreshed, 401, 'REFRESH_TOKEN_INVALID');
  });

  test('an impersonation nobody stops ends at its expiry: the job records impersonation.stopped (expired)', async () => {
    const res = await start(root1.session.accessToken, { userId: memberA.id, workspaceId: a.id, durationMinutes: 5 });
    assert.equal(res.statusCode, 201, res.body);
    const { sessionId, impersonation } = res.json();
    const jobs = await platform.db.withPlatform(async (tx) => (await tx.query<{ run_at: Date; workspace_id: string }>(
      "select run_at, workspace_id from jobs where queue = 'identity.impersonation_expiry' and payload->>'sessionId' = $1", [sessionId])).rows);
    assert.deepEqual(jobs.map((j) => [j.run_at.toISOString(), j.workspace_id]), [[impersonation.expiresAt, a.id]]);
    // The five minutes pass (database clock moved back for this impersonation and its job).
    await platform.db.withPlatform(async (tx) => {
      await tx.query("update impersonations set started_at = started_at - interval '6 minutes', expires_at = expires_at - interval '6 minutes' where session_id = $1", [sessionId]);
      await tx.query("update jobs set run_at = now() where queue = 'identity.impersonation_expiry' and payload->>'sessionId' = $1", [sessionId]);
    });
    platform.jobs.start();
    try {
      for (let i = 0; i < 200; i++) {
        const left = await platform.db.withPlatform(async (tx) => (await tx.query("select count(*)::int as n from jobs where queue = 'identity.impersonation_expiry' and payload->>'sessionId' = $1", [sessionId])).rows[0].n);
        if (left === 0) break;
        await new Promise((r) => setTimeout(r, 50));
      }
    } finally {
      await platform.jobs.stop();
    }
    const record = await platform.db.withPlatform(async (tx) => (await tx.query('select ended_reason, ended_at is not null as ended from impersonations where session_id = $1', [sessionId])).rows[0]);
    assert.deepEqual(record, { ended_reason: 'expired', ended: true });
    const stopped = (await auditOf(a.id, `action = 'impersonation.stopped'`)).filter((e) => e.diff?.after?.sessionId === sessionId);
    assert.equal(stopped.length, 1);
    assert.equal(stopped[0].actor_type, 'system');
    assert.equal(stopped[0].real_actor_id, root1.id);
    assert.equal(stopped[0].diff?.after?.endedReason, 'expired');
    assertRefused(await call('GET', '/auth/me', res.json().accessToken), 401, 'TOKEN_INVALID');
  });

  test('sensitive actions are refused while impersonating (403 IMPERSONATION_FORBIDDEN)', async () => {
    const body = (await start(root1.session.accessToken, { userId: adminA.id, workspaceId: a.id })).json();
    const token = body.accessToken as string;
    const ownSession = await login(platform, adminA.email);
    const key = await call('POST', '/api-keys', ownSession.accessToken, { name: 'kept', role: 'viewer' });
    assert.equal(key.statusCode, 201, key.body);
    const attempts: Array<[method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>]> = [
      ['POST', '/auth/password', { currentPassword: 'whatever it is', newPassword: 'a brand new long password' }],
      ['POST', '/auth/mfa/enroll'],
      ['POST', '/auth/mfa/verify', { code: '123456' }],
      ['POST', '/auth/mfa/disable', { password: 'whatever it is', code: '123456' }],
      ['POST', '/auth/mfa/recovery-codes', { code: '123456' }],
      ['POST', '/api-keys', { name: 'by the impersonator', role: 'viewer' }],
      ['DELETE', `/api-keys/${key.json().id}`],
      ['POST', '/impersonation', { userId: memberA.id, reason: REASON }],
      ['PATCH', '/auth/preferences', { allowImpersonation: false }],
      ['DELETE', `/auth/sessions/${ownSession.sessionId}`],
      ['POST', '/auth/switch', { workspaceId: a.id }],
    ];
    for (const [method, url, payload] of attempts) {
      assertRefused(await call(method, url, token, payload), 403, 'IMPERSONATION_FORBIDDEN');
    }
    // Nothing changed: the key lives, the user's own session lives, no key was created.
    assert.equal((await call('GET', '/auth/me', ownSession.accessToken)).statusCode, 200);
    const keys = (await call('GET', '/api-keys', ownSession.accessToken)).json().data as Array<{ id: string; name: string; revokedAt: string | null }>;
    assert.equal(keys.find((k) => k.id === key.json().id)?.revokedAt, null);
    assert.ok(!keys.some((k) => k.name === 'by the impersonator'));
    // Ordinary work is allowed.
    assert.equal((await call('GET', '/members', token)).statusCode, 200);
  });

  test('the owner procedure: a second platform admin approves; single use; the approval expires after 15 minutes', async () => {
    const ask = () => call('POST', '/impersonation/requests', root1.session.accessToken, { userId: owner.id, workspaceId: a.id, reason: REASON });
    // Not an owner: no procedure needed.
    assertRefused(await call('POST', '/impersonation/requests', root1.session.accessToken, { userId: memberA.id, workspaceId: a.id, reason: REASON }), 409, 'IMPERSONATION_APPROVAL_NOT_NEEDED');
    // Only platform admins ask and approve.
    const ownerSession = await login(platform, owner.email);
    assertRefused(await call('POST', '/impersonation/requests', ownerSession.accessToken, { userId: adminA.id, workspaceId: a.id, reason: REASON }), 403, 'FORBIDDEN');

    const created = await ask();
    assert.equal(created.statusCode, 201, created.body);
    const request = created.json();
    assert.equal(request.status, 'pending');
    assert.equal(request.requestedBy, root1.id);
    const listed = await call('GET', '/impersonation/requests', root2.session.accessToken);
    assert.ok(listed.json().data.some((r: { id: string }) => r.id === request.id));

    // The requester can't approve their own request, nor start before approval.
    assertRefused(await call('POST', `/impersonation/requests/${request.id}/approve`, root1.session.accessToken), 403, 'IMPERSONATION_SELF_APPROVAL');
    assertRefused(await start(root1.session.accessToken, { userId: owner.id, workspaceId: a.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');
    const approved = await call('POST', `/impersonation/requests/${request.id}/approve`, root2.session.accessToken);
    assert.equal(approved.statusCode, 200, approved.body);
    assert.equal(approved.json().status, 'approved');
    assert.equal(approved.json().approvedBy, root2.id);
    assertRefused(await call('POST', `/impersonation/requests/${request.id}/approve`, root2.session.accessToken), 409, 'IMPERSONATION_REQUEST_NOT_PENDING');
    // The approval is the requester's: the approver can't use it.
    assertRefused(await start(root2.session.accessToken, { userId: owner.id, workspaceId: a.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');

    const started = await start(root1.session.accessToken, { userId: owner.id, workspaceId: a.id });
    assert.equal(started.statusCode, 201, started.body);
    assert.equal(started.json().impersonation.requestId, request.id);
    assert.equal(started.json().target.role, 'owner');
    // Single use.
    assertRefused(await start(root1.session.accessToken, { userId: owner.id, workspaceId: a.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');

    // An approval older than 15 minutes (database clock) can't be used.
    const second = (await ask()).json();
    assert.equal((await call('POST', `/impersonation/requests/${second.id}/approve`, root2.session.accessToken)).statusCode, 200);
    await platform.db.withPlatform((tx) => tx.query(`update impersonation_requests set approved_at = now() - interval '16 minutes' where id = $1`, [second.id]));
    assertRefused(await start(root1.session.accessToken, { userId: owner.id, workspaceId: a.id }), 403, 'IMPERSONATION_APPROVAL_REQUIRED');
    // A request pending for more than 24 hours can't be approved.
    const third = (await ask()).json();
    await platform.db.withPlatform((tx) => tx.query(`update impersonation_requests set created_at = now() - interval '25 hours' where id = $1`, [third.id]));
    assertRefused(await call('POST', `/impersonation/requests/${third.id}/approve`, root2.session.accessToken), 409, 'IMPERSONATION_REQUEST_EXPIRED');
    assertRefused(await call('POST', '/impersonation/requests/0190a0a0-0000-7000-8000-000000000000/approve', root2.session.accessToken), 404, 'IMPERSONATION_REQUEST_NOT_FOUND');

    const events = await auditOf(a.id, `action in ('impersonation.requested', 'impersonation.approved')`);
    const requested = events.find((e) => e.action === 'impersonation.requested' && e.target_id === request.id);
    const approval = events.find((e) => e.action === 'impersonation.approved' && e.target_id === request.id);
    assert.equal(requested?.actor_type, 'platform_admin');
    assert.equal(requested?.actor_id, root1.id);
    assert.equal(approval?.actor_type, 'platform_admin');
    assert.equal(approval?.actor_id, root2.id);
  });

  test('a workspace owner impersonates a member of their own workspace, not another workspace\'s (404)', async () => {
    const b = await createWorkspace(platform);
    const ownerB = await createMember(platform, 'owner', b.id);
    const memberB = await createMember(platform, 'member', b.id);
    const session = await login(platform, ownerB.email);

    assertRefused(await start(session.accessToken, { userId: memberA.id }), 404, 'IMPERSONATION_TARGET_NOT_FOUND');
    assertRefused(await start(session.accessToken, { userId: memberA.id, workspaceId: a.id }), 404, 'IMPERSONATION_TARGET_NOT_FOUND');
    assertRefused(await start(session.accessToken, { userId: memberB.id, workspaceId: a.id }), 404, 'IMPERSONATION_TARGET_NOT_FOUND');
    assertRefused(await call('POST', '/impersonation/requests', session.accessToken, { userId: owner.id, workspaceId: a.id, reason: REASON }), 403, 'FORBIDDEN');
    assert.equal((await auditOf(a.id, `actor_id = '${ownerB.id}'`)).length, 0, 'nothing of B lands in A\'s chain');

    const ok = await start(session.accessToken, { userId: memberB.id });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().workspaceId, b.id);
    const [event] = await auditOf(b.id, `action = 'impersonation.started'`);
    assert.equal(event.actor_type, 'user');
    assert.equal(event.actor_id, ownerB.id);
  });
});
