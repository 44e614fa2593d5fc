// The audit API through the real app: query (filters, sort, cursor), one event, export
// (CSV/JSON, streamed, with filters), verify, permissions, another workspace's event → 404,
// and the platform admin's cross-workspace listing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { AuditContext, AuditEvent } from './index.ts';
import { exportEvents } from './export-events.ts';

type Tenant = { userId: string; workspaceId: string; token: string };

describe('audit routes', () => {
  let platform: TestPlatform;
  let a: Tenant;
  let b: Tenant;
  let viewerToken: string;
  let adminToken: string;

  const call = (url: string, token: string, headers: Record<string, string> = {}) =>
    platform.app.inject({ method: 'GET', url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}`, ...headers } });

  async function signup(email: string, companyName: string): Promise<Tenant> {
    const res = await platform.app.inject({ method: 'POST', url: '/api/v1/onboard/signup', payload: { email, password: 'a long enough password', name: 'U', companyName } });
    assert.equal(res.statusCode, 201, res.body);
    return { userId: res.json().user.id, workspaceId: res.json().workspace.id, token: res.json().accessToken };
  }

  /** Events recorded directly, with known actors, actions, targets and outcomes. */
  async function seed(ws: string, events: Array<{ action: string; actor: AuditContext['actor']; target: [string, string]; outcome?: 'success' | 'failure' }>) {
    for (const e of events) {
      await platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, { actor: e.actor, ip: '198.51.100.7', userAgent: '=cmd|calc', requestId: null, traceId: null }, {
        workspaceId: ws, action: e.action, targetType: e.target[0], targetId: e.target[1], outcome: e.outcome,
        diff: { before: { role: 'viewer' }, after: { role: 'member', password: 'never-stored', note: 'a, "quoted"\nline' } },
      }));
    }
  }

  before(async () => {
    platform = await startTestPlatform();
    a = await signup('owner@audit-a.test', 'Audit A');
    b = await signup('owner@audit-b.test', 'Audit B');
    const bot = { type: 'api_key' as const, id: '01900000-0000-7000-8000-00000000b0b0' };
    const person = { type: 'user' as const, id: a.userId };
    await seed(a.workspaceId, [
      { action: 'member.role_changed', actor: person, target: ['member', 'm1'] },
      { action: 'member.removed', actor: person, target: ['member', 'm2'] },
      { action: 'api_key.created', actor: bot, target: ['api_key', 'k1'] },
      { action: 'member.role_changed', actor: bot, target: ['member', 'm1'], outcome: 'failure' },
      { action: 'invitation.created', actor: person, target: ['invitation', 'i1'] },
    ]);
    await seed(b.workspaceId, [{ action: 'member.removed', actor: { type: 'user', id: b.userId }, target: ['member', 'secret-of-b'] }]);
    // A viewer of A (no audit.read), and a platform admin.
    const owner = new pg.Client({ connectionString: platform.ownerUrl });
    await owner.connect();
    const viewer = (await owner.query<{ id: string }>(`insert into users (email, name, password_hash) values ('viewer@audit-a.test', 'V', null) returning id`)).rows[0].id;
    await owner.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'viewer')`, [a.workspaceId, viewer]);
    await owner.end();
    viewerToken = (await platform.db.withWorkspace(a.workspaceId, (tx) => platform.identity.sessions.openSession(tx, { userId: viewer, workspaceId: a.workspaceId, role: 'viewer', isPlatformAdmin: false }))).accessToken;
    const root = await platform.admin.createPlatformAdmin({ email: 'root@audit.test', password: 'operator password 1' });
    adminToken = (await platform.db.withWorkspace(root.workspace.id, (tx) => platform.identity.sessions.openSession(tx, { userId: root.user.id, workspaceId: root.workspace.id, role: 'owner', isPlatformAdmin: true }))).accessToken;
    await platform.audit.seal(); // what the workers' sealer does within a second
  });
  after(async () => {
    await platform.stop();
  });

  async function list(query: string, token = a.token): Promise<{ data: AuditEvent[]; nextCursor: string | null }> {
    const res = await call(`/audit/events${query}`, token);
    assert.equal(res.statusCode, 200, res.body);
    return res.json();
  }

  test('lists the workspace\'s events newest first, with the signup\'s own events; never another workspace\'s', async () => {
    const page = await list('');
    assert.deepEqual(page.data.map((e) => e.action), [
      'invitation.created', 'member.role_changed', 'api_key.created', 'member.removed', 'member.role_changed', 'user.signed_up', 'workspace.created',
    ]);
    assert.ok(page.data.every((e) => e.workspaceId === a.workspaceId));
    assert.deepEqual(page.data.map((e) => e.seq), [7, 6, 5, 4, 3, 2, 1]);
    assert.equal(page.data[0].diff?.after?.password, '[redacted]');
    assert.equal(page.nextCursor, null);
  });

  test('filters: actor, action (exact and prefix), target, outcome, time range; sort ascending', async () => {
    const byBot = await list('?actorType=api_key');
    assert.deepEqual(byBot.data.map((e) => e.action), ['member.role_changed', 'api_key.created']);
    assert.equal((await list(`?actorId=${a.userId}&action=member.role_changed`)).data.length, 1);
    assert.deepEqual((await list('?action=member.*&sort=asc')).data.map((e) => e.action), ['member.role_changed', 'member.removed', 'member.role_changed']);
    assert.deepEqual((await list('?targetType=member&targetId=m1')).data.map((e) => e.outcome), ['failure', 'success']);
    assert.deepEqual((await list('?outcome=failure')).data.map((e) => e.seq), [6]);
    const all = (await list('?sort=asc')).data;
    const from = all[3].occurredAt;
    const windowed = await list(`?from=${encodeURIComponent(from)}&sort=asc`);
    assert.ok(windowed.data.every((e) => e.occurredAt >= from));
    assert.equal((await list(`?to=${encodeURIComponent(all[0].occurredAt)}`)).data.length, 0);
    // `%` and `_` in a prefix are literal, not wildcards.
    assert.equal((await list('?action=member_*')).data.length, 0);
  });

  test('cursor pagination walks every event once, in both directions', async () => {
    for (const sort of ['asc', 'desc']) {
      const seen: Array<number | null> = [];
      let cursor: string | null = null;
      do {
        const page: { data: AuditEvent[]; nextCursor: string | null } = await list(`?limit=2&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`);
        seen.push(...page.data.map((e) => e.seq));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, sort === 'asc' ? [1, 2, 3, 4, 5, 6, 7] : [7, 6, 5, 4, 3, 2, 1]);
    }
    const bad = await call('/audit/events?cursor=not-a-cursor', a.token);
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().code, 'AUDIT_CURSOR_INVALID');
    assert.equal((await call('/audit/events?actorType=robot', a.token)).statusCode, 400);
    const reversed = await call(`/audit/events?from=2030-01-01T00:00:00Z&to=2020-01-01T00:00:00Z`, a.token);
    assert.equal(reversed.json().code, 'VALIDATION_FAILED');
    assert.equal(reversed.json().errors[0].path, 'querystring.from');
  });

  test('one event by id; another workspace\'s event answers 404 like an unknown one', async () => {
    const mine = (await list('?limit=1')).data[0];
    const res = await call(`/audit/events/${mine.id}`, a.token);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), mine);
    const theirs = (await list('?limit=1', b.token)).data[0];
    const cross = await call(`/audit/events/${theirs.id}`, a.token);
    assert.equal(cross.statusCode, 404);
    assert.equal(cross.json().code, 'AUDIT_EVENT_NOT_FOUND');
    assert.doesNotMatch(cross.body, /secret-of-b/);
    assert.equal((await call('/audit/events/01900000-0000-7000-8000-000000000000', a.token)).statusCode, 404);
  });

  test('export CSV: streamed, filtered, quoted, formula-safe; recorded as audit.exported', async () => {
    const res = await call('/audit/export?format=csv&action=member.*', a.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^text\/csv/);
    assert.match(res.headers['content-disposition'] as string, /^attachment; filename="audit-\d{4}-\d{2}-\d{2}\.csv"$/);
    assert.equal(res.headers['content-length'], undefined, 'streamed, not buffered');
    assert.equal(res.headers['transfer-encoding'], 'chunked');
    const lines = res.body.trimEnd().split('\r\n');
    assert.match(lines[0], /^id,seq,occurredAt,actorType,actorId,realActorId,action,targetType,targetId,outcome,ip,userAgent,/);
    // 3 member.* events, oldest first; a quoted multi-line diff counts as one record.
    const records = res.body.split(/\r\n(?=[0-9a-f]{8}-)/).slice(1);
    assert.equal(records.length, 3);
    assert.ok(records[0].includes(',member.role_changed,member,m1,success,198.51.100.7,\'=cmd|calc,'), records[0]);
    assert.ok(records[0].includes('""before"":{""role"":""viewer""}'), records[0]);
    assert.ok(records[0].includes('""note"":""a, \\""quoted\\""\\nline""'), 'commas, quotes and newlines stay inside one cell');
    assert.ok(!res.body.includes('never-stored'));
    const exported = (await list('?action=audit.exported')).data[0];
    assert.deepEqual(exported.diff?.after, { format: 'csv', filters: { action: 'member.*' }, sort: 'asc' });
  });

  test('export JSON: an array of the filtered events, same as the API returns', async () => {
    const res = await call('/audit/export?format=json&actorType=api_key&sort=desc', a.token);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(res.headers['content-type'] as string, /^application\/json/);
    const events = JSON.parse(res.body) as AuditEvent[];
    assert.deepEqual(events, (await list('?actorType=api_key')).data);
    const empty = await call('/audit/export?format=json&action=nothing.matches', a.token);
    assert.deepEqual(JSON.parse(empty.body), []);
  });

  test('export reads page by page (bounded memory): every event once, in order', async () => {
    const chunks: string[] = [];
    for await (const chunk of await exportEvents(platform.db, a.workspaceId, { sort: 'asc' }, 'json', 2)) chunks.push(chunk);
    const events = JSON.parse(chunks.join('')) as AuditEvent[];
    // Sealed events in chain order; the exports' own events (recorded since) wait for the sealer, last.
    const sealed = events.filter((e) => e.seq !== null);
    assert.deepEqual(sealed.map((e) => e.seq), sealed.map((_, i) => i + 1));
    assert.ok(events.slice(sealed.length).every((e) => e.seq === null && e.hash === null));
    assert.ok(chunks.length >= 2 + Math.ceil(events.length / 2), 'one chunk per page');
    // The first page is read before the answer starts: a failure there is refused up front (a problem), not a cut stream.
    const failing = { ...platform.db, withWorkspace: () => Promise.reject(new Error('database away')) } as typeof platform.db;
    await assert.rejects(exportEvents(failing, a.workspaceId, { sort: 'asc' }, 'csv'), /database away/);
  });

  test('verify: the chain is valid, and the answer names the first broken link when it is not', async () => {
    const res = await call('/audit/verify', a.token);
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.isValid, true);
    assert.equal(body.checked, body.headSeq);
    const owner = new pg.Client({ connectionString: platform.ownerUrl });
    await owner.connect();
    await owner.query('begin');
    await owner.query('alter table audit_events disable trigger user');
    const { rows } = await owner.query<{ id: string }>(`update audit_events set target_id = 'm9' where workspace_id = $1
      and id = (select event_id from audit_chain where workspace_id = $1 and seq = 4) returning id`, [a.workspaceId]);
    await owner.query('alter table audit_events enable trigger user');
    await owner.query('commit');
    await owner.end();
    const broken = (await call('/audit/verify', a.token)).json();
    assert.deepEqual([broken.isValid, broken.firstBrokenSeq, broken.firstBrokenId, broken.reason], [false, 4, rows[0].id, 'hash_mismatch']);
    assert.equal((await call('/audit/verify', b.token)).json().isValid, true, 'B\'s chain is its own');
  });

  test('permissions: a viewer can neither read, export nor verify', async () => {
    for (const url of ['/audit/events', '/audit/export?format=csv', '/audit/verify']) {
      const res = await call(url, viewerToken);
      assert.equal(res.statusCode, 403, url);
    }
  });

  test('platform admin: every workspace\'s events, or one; a tenant can\'t use the route', async () => {
    const res = await call('/admin/audit/events?action=member.removed&sort=asc', adminToken);
    assert.equal(res.statusCode, 200, res.body);
    const workspaces = new Set((res.json().data as AuditEvent[]).map((e) => e.workspaceId));
    assert.deepEqual([...workspaces].sort(), [a.workspaceId, b.workspaceId].sort());
    const onlyB = await call(`/admin/audit/events?workspaceId=${b.workspaceId}`, adminToken);
    assert.ok((onlyB.json().data as AuditEvent[]).every((e) => e.workspaceId === b.workspaceId));
    assert.equal((await call('/admin/audit/events', a.token)).statusCode, 403);
  });
});
