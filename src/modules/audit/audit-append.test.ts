// The append (migrations 0009, 0018) keeps its promises: both append paths (plain INSERT when
// bound, the wrapper otherwise) land in the event's one chain once sealed; the sealer never
// links past a transaction still open (so nothing can appear behind it); indexes serve every
// filter of the query API in the listing's order; the id cursor (and the seq cursor made
// before it); and the bench-only switch that turns recording off.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { createLogger } from '../../kernel/logging.ts';
import { createAuditModule } from './index.ts';
import type { AuditContext } from './index.ts';
import { decodeCursor, encodeCursor } from './audit-cursor.ts';
import { eventPageStatement } from './audit.store.ts';
import type { EventQuery } from './audit.store.ts';
import { listEvents } from './list-events.ts';

const actor: AuditContext = { actor: { type: 'user', id: '01900000-0000-7000-8000-0000000000bb' }, ip: '203.0.113.7', userAgent: 'test/1.0', requestId: 'req-2', traceId: null };

describe('audit append and sealing (migrations 0009, 0018)', () => {
  let platform: TestPlatform;
  let owner: pg.Client;

  async function newWorkspace(slug: string): Promise<string> {
    const { rows } = await owner.query<{ id: string }>('insert into workspaces (slug, name) values ($1, $1) returning id', [slug]);
    return rows[0].id;
  }

  function record(ws: string, action: string, targetId: string) {
    return platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, { workspaceId: ws, action, targetType: 'thing', targetId }));
  }

  before(async () => {
    platform = await startTestPlatform();
    owner = new pg.Client({ connectionString: platform.ownerUrl });
    await owner.connect();
  });
  after(async () => {
    await owner.end();
    await platform.stop();
  });

  test('bound, unbound and platform transactions all append to the one chain of the event\'s workspace', async () => {
    const ws = await newWorkspace('append-paths');
    await record(ws, 'thing.created', 'bound');
    await platform.db.withIdentity((tx) => platform.audit.record(tx, actor, { workspaceId: ws, action: 'thing.updated', targetType: 'thing', targetId: 'identity' }));
    await platform.db.withPlatform((tx) => platform.audit.record(tx, actor, { workspaceId: ws, action: 'thing.deleted', targetType: 'thing', targetId: 'platform' }));
    assert.equal(await platform.audit.seal() >= 3, true);
    const { rows } = await owner.query<{ seq: number; target_id: string }>(
      'select c.seq::int, e.target_id from audit_events e join audit_chain c on c.workspace_id = e.workspace_id and c.event_id = e.id where e.workspace_id = $1 order by c.seq', [ws]);
    assert.deepEqual(rows, [{ seq: 1, target_id: 'bound' }, { seq: 2, target_id: 'identity' }, { seq: 3, target_id: 'platform' }]);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 3, anchorSeq: 0, headSeq: 3, pending: 0 });
    // The unbound transaction was bound for the one insert only.
    const after = await platform.db.withIdentity(async (tx) => {
      await platform.audit.record(tx, actor, { workspaceId: ws, action: 'thing.updated', targetType: 'thing', targetId: 'again' });
      return (await tx.query<{ bound: string | null }>('select atrium_current_workspace()::text as bound')).rows[0].bound;
    });
    assert.equal(after, null);
  });

  test('an event is listed at once, linked by the sealer; never past a transaction still open', async () => {
    const ws = await newWorkspace('append-horizon');
    // A transaction that records its event first and commits last.
    let release!: () => void;
    const held = new Promise<void>((r) => { release = r; });
    let recorded!: () => void;
    const isRecorded = new Promise<void>((r) => { recorded = r; });
    const slow = platform.db.withWorkspace(ws, async (tx) => {
      await platform.audit.record(tx, actor, { workspaceId: ws, action: 'thing.created', targetType: 'thing', targetId: 'slow' });
      recorded();
      await held;
    });
    await isRecorded;
    await record(ws, 'thing.updated', 'fast');
    const listed = await listEvents(platform.db, ws, { sort: 'asc', limit: 10 });
    assert.deepEqual(listed.data.map((e) => [e.targetId, e.seq, e.hash]), [['fast', null, null]], 'committed, listed, not linked yet');
    assert.deepEqual((await platform.audit.verifyWorkspace(ws)).pending, 1);
    // The open transaction began before "fast": linking "fast" now would let "slow" land behind it.
    await platform.audit.seal({ timeoutMs: 0 });
    assert.equal((await listEvents(platform.db, ws, { limit: 10 })).data[0].seq, null);
    // Operators see the backlog the open transaction holds back.
    const metrics = async () => (await platform.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${platform.config.metricsToken}` } })).body;
    assert.match(await metrics(), /^atrium_audit_unsealed_events [1-9]\d*$/m);
    assert.match(await metrics(), /^atrium_audit_oldest_unsealed_seconds (?!0$)[\d.e-]+$/m);
    release();
    await slow;
    await platform.audit.seal();
    const sealed = await listEvents(platform.db, ws, { sort: 'asc', limit: 10 });
    // Chain order is the order of the transactions; the listing's is the events' creation.
    assert.deepEqual(sealed.data.map((e) => [e.targetId, e.seq]), [['slow', 1], ['fast', 2]]);
    assert.ok(sealed.data.every((e) => /^[0-9a-f]{64}$/.test(e.hash ?? '')));
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 2, anchorSeq: 0, headSeq: 2, pending: 0 });
    assert.match(await metrics(), /^atrium_audit_unsealed_events 0$/m);
    assert.match(await metrics(), /^atrium_audit_oldest_unsealed_seconds 0$/m);
  });

  test('the one door checks what the table no longer does; the table keeps its closed sets', async () => {
    const ws = await newWorkspace('append-checks');
    for (const [action, targetType] of [['Thing.Updated', 'thing'], [`thing.${'x'.repeat(100)}`, 'thing'], ['thing.updated', 'Thing'], ['thing.updated', 't'.repeat(51)]]) {
      await assert.rejects(platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, { workspaceId: ws, action, targetType, targetId: null })), /audit: (action|target type)/);
    }
    await record(ws, 'thing.updated', `${'x'.repeat(250)}`);
    const [event] = (await listEvents(platform.db, ws, { limit: 1 })).data;
    assert.equal(event.targetId?.length, 200, 'texts are clipped');
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, { ...actor, actor: { type: 'robot' as 'system', id: null } }, {
      workspaceId: ws, action: 'thing.updated', targetType: 'thing', targetId: null,
    })), /audit_events_kind_check/);
  });

  test('every filter of the query API is served by an index in the listing\'s order (no sort)', async () => {
    const ws = await newWorkspace('append-plans');
    for (let i = 0; i < 30; i++) await record(ws, i % 2 ? 'member.removed' : 'thing.updated', `t-${i % 3}`);
    const base: EventQuery = { workspaceId: ws, filters: {}, sort: 'desc', limit: 20 };
    const cases: Array<[string, EventQuery]> = [
      ['default', base],
      ['ascending', { ...base, sort: 'asc' }],
      ['actor', { ...base, filters: { actorId: actor.actor.id! } }],
      ['action', { ...base, filters: { action: 'member.removed' } }],
      ['target type', { ...base, filters: { targetType: 'thing' } }],
      ['target', { ...base, filters: { targetType: 'thing', targetId: 't-1' } }],
      ['next page', { ...base, filters: { action: 'thing.updated' }, after: { occurredAt: new Date().toISOString(), id: '01900000-0000-7000-8000-000000000001' } }],
    ];
    const plans = await platform.db.withWorkspace(ws, async (tx) => {
      await tx.query('set local enable_seqscan = off');
      const out: Array<[string, string]> = [];
      for (const [name, q] of cases) {
        const { text, values } = eventPageStatement(q);
        const { rows } = await tx.query<{ 'QUERY PLAN': string }>({ text: `explain ${text}`, values });
        out.push([name, rows.map((r) => r['QUERY PLAN']).join('\n')]);
      }
      return out;
    });
    for (const [name, plan] of plans) {
      assert.match(plan, /Index Scan/, `${name}: ${plan}`);
      assert.doesNotMatch(plan, /\bSort\b/, `${name}: ${plan}`);
    }
    // And the index set itself: what the query API and the sealer need, nothing more (ADR 0007, 0012).
    const { rows } = await owner.query<{ indexname: string }>(`select indexname from pg_indexes where tablename = 'audit_events' order by indexname`);
    assert.deepEqual(rows.map((r) => r.indexname), [
      'audit_events_action_idx', 'audit_events_actor_idx', 'audit_events_pkey', 'audit_events_target_idx',
      'audit_events_time_brin', 'audit_events_tx_brin',
    ]);
  });

  test('pages by id (creation order); a cursor made when pages went by seq still continues after its event', async () => {
    const ws = await newWorkspace('append-cursor');
    for (let i = 0; i < 5; i++) await record(ws, 'thing.updated', `c-${i}`);
    const first = await listEvents(platform.db, ws, { sort: 'asc', limit: 2 });
    assert.deepEqual(first.data.map((e) => e.targetId), ['c-0', 'c-1']);
    const second = await listEvents(platform.db, ws, { sort: 'asc', limit: 2, cursor: first.nextCursor! });
    assert.deepEqual(second.data.map((e) => e.targetId), ['c-2', 'c-3']);
    const last = first.data[1];
    const legacy = Buffer.from(JSON.stringify([last.occurredAt, last.id, 2])).toString('base64url');
    assert.deepEqual(decodeCursor(legacy), decodeCursor(encodeCursor({ occurredAt: last.occurredAt, id: last.id })));
    const fromLegacy = await listEvents(platform.db, ws, { sort: 'asc', limit: 2, cursor: legacy });
    assert.deepEqual(fromLegacy.data.map((e) => e.targetId), ['c-2', 'c-3']);
    const down = await listEvents(platform.db, ws, { sort: 'desc', limit: 10, cursor: legacy });
    assert.deepEqual(down.data.map((e) => e.targetId), ['c-0']);
    assert.throws(() => decodeCursor(Buffer.from(JSON.stringify([last.occurredAt, last.id, 'x'])).toString('base64url')), /cursor/i);
  });

  test('the bench-only switch: a module made with isRecording false records nothing', async () => {
    const ws = await newWorkspace('append-off');
    const silent = createAuditModule({ config: platform.config, db: platform.db, log: createLogger('silent') }, { isRecording: false });
    await platform.db.withWorkspace(ws, (tx) => silent.record(tx, actor, { workspaceId: ws, action: 'thing.created', targetType: 'thing', targetId: 'x' }));
    await record(ws, 'thing.created', 'y');
    const { rows } = await owner.query<{ target_id: string }>('select target_id from audit_events where workspace_id = $1', [ws]);
    assert.deepEqual(rows.map((r) => r.target_id), ['y']);
  });
});
