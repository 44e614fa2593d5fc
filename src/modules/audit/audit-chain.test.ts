// The audit trail in SQL and through the module: the chain the sealer builds, its verification,
// tampering (events and links), append-only grants and triggers, and retention.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import { systemContext } from './index.ts';
import type { AuditContext } from './index.ts';
import { GENESIS_HASH, linkHash } from './hash-chain.ts';
import type { ChainLink } from './hash-chain.ts';
import { scanChain } from './audit.store.ts';
import { verifyChainIn } from './verify-chain.ts';

const actor: AuditContext = { actor: { type: 'user', id: '01900000-0000-7000-8000-0000000000aa' }, ip: '203.0.113.9', userAgent: 'test/1.0', requestId: 'req-1', traceId: null };

describe('audit hash chain', () => {
  let platform: TestPlatform;
  let owner: pg.Client;

  async function newWorkspace(slug: string): Promise<string> {
    const { rows } = await owner.query<{ id: string }>('insert into workspaces (slug, name) values ($1, $1) returning id', [slug]);
    return rows[0].id;
  }

  async function append(ws: string, n: number, action = 'thing.updated'): Promise<void> {
    for (let i = 0; i < n; i++) {
      await platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, {
        workspaceId: ws, action, targetType: 'thing', targetId: `t-${i}`, diff: { before: { n: i }, after: { n: i + 1, note: 'é ✓ "quoted"' } },
      }));
    }
    await platform.audit.seal(); // what the workers' sealer does within a second
  }

  /** A workspace's links with their events, in chain order. */
  async function chain(ws: string) {
    const { rows } = await owner.query<{ seq: number; prev_hash: string; hash: string; id: string; actor_type: string; ip: string; request_id: string; target_id: string }>(
      `select c.seq::int, c.prev_hash, c.hash, e.id, e.actor_type, e.ip, e.request_id, e.target_id
         from audit_chain c join audit_events e on e.workspace_id = c.workspace_id and e.id = c.event_id
        where c.workspace_id = $1 order by c.seq`, [ws]);
    return rows;
  }

  const eventAt = async (ws: string, seq: number) => (await owner.query<{ event_id: string }>('select event_id from audit_chain where workspace_id = $1 and seq = $2', [ws, seq])).rows[0].event_id;

  /** As the owner with the append-only triggers off: what an attacker with the database would do. */
  async function tamper(sql: string, values: unknown[]): Promise<void> {
    await owner.query('begin');
    await owner.query('alter table audit_events disable trigger user');
    await owner.query('alter table audit_chain disable trigger user');
    await owner.query(sql, values);
    await owner.query('alter table audit_chain enable trigger user');
    await owner.query('alter table audit_events enable trigger user');
    await owner.query('commit');
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

  test('sealed events are numbered from 1 and chained, in the order they were written', async () => {
    const ws = await newWorkspace('chain-basic');
    await append(ws, 5);
    const rows = await chain(ws);
    assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.deepEqual(rows.map((r) => r.target_id), ['t-0', 't-1', 't-2', 't-3', 't-4']);
    assert.equal(rows[0].prev_hash, GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev_hash, rows[i - 1].hash);
    assert.deepEqual([rows[0].actor_type, rows[0].ip, rows[0].request_id], ['user', '203.0.113.9', 'req-1']);
    const result = await platform.audit.verifyWorkspace(ws);
    assert.deepEqual(result, { isValid: true, checked: 5, anchorSeq: 0, headSeq: 5, pending: 0 });
    assert.equal(await platform.audit.seal(), 0, 'nothing is sealed twice');
  });

  test('the application cannot write links: the chain is the sealer\'s (platform path)', async () => {
    const ws = await newWorkspace('chain-forged');
    await append(ws, 1);
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query(
      `insert into audit_chain (workspace_id, seq, event_id, prev_hash, hash) values ($1, 2, $2, repeat('a', 64), repeat('b', 64))`, [ws, uuidv7()])), /permission denied/);
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query('update audit_chain set hash = repeat(\'b\', 64) where workspace_id = $1', [ws])), /permission denied/);
    await assert.rejects(owner.query('update audit_chain set hash = repeat(\'b\', 64) where workspace_id = $1', [ws]), /append-only/);
    await assert.rejects(owner.query('delete from audit_chain where workspace_id = $1', [ws]), /append-only/);
    // Nor choose an event's transaction (the chain's order; an event dated before the sealer's
    // position would pass for one slipped in behind it, one far ahead would never be sealed).
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query(
      `insert into audit_events (workspace_id, id, tx, actor_type, action, target_type) values ($1, $2, 1, 'system', 'thing.forged', 'thing')`, [ws, uuidv7()])), /permission denied/);
    await assert.rejects(platform.db.withPlatform((tx) => tx.query(
      `insert into audit_events (workspace_id, id, tx, actor_type, action, target_type) values ($1, $2, 9e15, 'system', 'thing.forged', 'thing')`, [ws, uuidv7()])), /permission denied/);
    assert.equal((await platform.audit.verifyWorkspace(ws)).isValid, true);
  });

  test('concurrent appends to one workspace form one contiguous chain', async () => {
    const ws = await newWorkspace('chain-concurrent');
    await Promise.all(Array.from({ length: 24 }, (_, i) => platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, {
      workspaceId: ws, action: 'thing.created', targetType: 'thing', targetId: String(i),
    }))));
    await platform.audit.seal();
    const rows = await chain(ws);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 24 }, (_, i) => i + 1));
    assert.equal(new Set(rows.map((r) => r.target_id)).size, 24);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 24, anchorSeq: 0, headSeq: 24, pending: 0 });
  });

  test('tampering with one row (diff edited with the trigger off) is found at that seq', async () => {
    const ws = await newWorkspace('chain-tampered');
    await append(ws, 6);
    const id = await eventAt(ws, 3);
    await tamper(`update audit_events set diff = '{"before": {"n": 2}, "after": {"n": 1000}}' where workspace_id = $1 and id = $2`, [ws, id]);
    const result = await platform.audit.verifyWorkspace(ws);
    assert.equal(result.isValid, false);
    assert.equal(result.firstBrokenSeq, 3);
    assert.equal(result.firstBrokenId, id);
    assert.equal(result.reason, 'hash_mismatch');
    // Other workspaces are untouched.
    const other = await newWorkspace('chain-untouched');
    await append(other, 2);
    assert.equal((await platform.audit.verifyWorkspace(other)).isValid, true);
  });

  test('a link re-hashed by the attacker breaks the next one; a deleted event or link is found', async () => {
    const ws = await newWorkspace('chain-rehashed');
    await append(ws, 5);
    // Change event 2's actor and recompute its link's hash: link 3's prev_hash no longer matches.
    await tamper(`update audit_events set actor_type = 'system', actor_id = null where workspace_id = $1 and id = $2`, [ws, await eventAt(ws, 2)]);
    const links: ChainLink[] = [];
    await platform.db.withPlatform((tx) => scanChain(tx, ws, { onAnchor() {}, onLink(link) { links.push(link); return true; } }));
    await tamper('update audit_chain set hash = $2 where workspace_id = $1 and seq = 2', [ws, linkHash(links[1].prevHash, links[1])]);
    const rehashed = await platform.audit.verifyWorkspace(ws);
    assert.deepEqual([rehashed.isValid, rehashed.firstBrokenSeq, rehashed.reason], [false, 3, 'prev_hash_mismatch']);

    const gone = await newWorkspace('chain-event-gone');
    await append(gone, 5);
    const goneId = await eventAt(gone, 4);
    await tamper('delete from audit_events where workspace_id = $1 and id = $2', [gone, goneId]);
    const missing = await platform.audit.verifyWorkspace(gone);
    assert.deepEqual([missing.isValid, missing.firstBrokenSeq, missing.firstBrokenId, missing.reason], [false, 4, goneId, 'event_missing']);

    const gap = await newWorkspace('chain-gap');
    await append(gap, 5);
    await tamper('delete from audit_events where workspace_id = $1 and id = $2', [gap, await eventAt(gap, 4)]);
    await tamper('delete from audit_chain where workspace_id = $1 and seq = 4', [gap]);
    const result = await platform.audit.verifyWorkspace(gap);
    assert.deepEqual([result.isValid, result.firstBrokenSeq, result.reason], [false, 5, 'seq_gap']);
  });

  test('an event slipped in behind the sealer (older than its position, no link) breaks the chain', async () => {
    const ws = await newWorkspace('chain-slipped');
    await append(ws, 2);
    const forged = uuidv7();
    await owner.query(`insert into audit_events (workspace_id, id, tx, actor_type, action, target_type) values ($1, $2, 1, 'system', 'thing.forged', 'thing')`, [ws, forged]);
    const result = await platform.audit.verifyWorkspace(ws);
    assert.deepEqual([result.isValid, result.firstBrokenId, result.reason, result.checked], [false, forged, 'unsealed_event', 2]);
  });

  test('the verifier recomputes the SQL hash from the stored text of every field', async () => {
    const ws = await newWorkspace('chain-recompute');
    await append(ws, 1);
    const links: Array<{ prevHash: string; hash: string }> = [];
    await platform.db.withWorkspace(ws, async (tx) => {
      await scanChain(tx, ws, { onAnchor() {}, onLink(link) { links.push(link); assert.equal(linkHash(link.prevHash, link), link.hash); return true; } });
    });
    assert.equal(links.length, 1);
  });

  test('append-only: the request role may not UPDATE, DELETE or TRUNCATE; not even the owner with the triggers on', async () => {
    const ws = await newWorkspace('chain-append-only');
    await append(ws, 2);
    for (const sql of [
      `update audit_events set outcome = 'failure' where workspace_id = $1`,
      'delete from audit_events where workspace_id = $1',
      'delete from audit_chain where workspace_id = $1',
    ]) {
      await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query(sql, [ws])), /permission denied/);
      await assert.rejects(owner.query(sql, [ws]), /append-only/);
    }
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query('truncate audit_events')), /permission denied/);
    await assert.rejects(owner.query('truncate audit_events'), /append-only/);
    await assert.rejects(owner.query('truncate audit_chain'), /append-only/);
    // The platform path without the retention flag is refused too, and anchors are not the app's.
    await assert.rejects(platform.db.withPlatform((tx) => tx.query('delete from audit_events where workspace_id = $1', [ws])), /append-only/);
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query(`insert into audit_chain_anchors (workspace_id, anchor_seq, anchor_hash) values ($1, 1, repeat('0', 64))`, [ws])), /permission denied/);
    assert.equal((await owner.query('select count(*)::int as n from audit_events where workspace_id = $1', [ws])).rows[0].n, 2);
  });

  test('a transaction bound to workspace A cannot write into B\'s chain; unbound paths can', async () => {
    const a = await newWorkspace('chain-bound-a');
    const b = await newWorkspace('chain-bound-b');
    await assert.rejects(platform.db.withWorkspace(a, (tx) => platform.audit.record(tx, actor, { workspaceId: b, action: 'thing.created', targetType: 'thing', targetId: null })), /bound to another workspace/);
    // Identity path (no binding): the event lands in B, and the transaction is unbound again.
    const visible = await platform.db.withIdentity(async (tx) => {
      await platform.audit.record(tx, actor, { workspaceId: b, action: 'thing.created', targetType: 'thing', targetId: null });
      return (await tx.query('select count(*)::int as n from audit_events')).rows[0].n;
    });
    assert.equal(visible, 0, 'the binding does not outlive the insert');
    await platform.db.withPlatform((tx) => platform.audit.record(tx, systemContext('test'), { workspaceId: b, action: 'thing.updated', targetType: 'thing', targetId: null }));
    const rows = (await owner.query('select action, actor_type from audit_events where workspace_id = $1 order by id', [b])).rows;
    assert.deepEqual(rows, [{ action: 'thing.created', actor_type: 'user' }, { action: 'thing.updated', actor_type: 'system' }]);
    assert.equal((await owner.query('select count(*)::int as n from audit_events where workspace_id = $1', [a])).rows[0].n, 0);
  });

  test('secret fields are redacted before they are stored (and hashed)', async () => {
    const ws = await newWorkspace('chain-redacted');
    await platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, {
      workspaceId: ws, action: 'secret.updated', targetType: 'secret', targetId: 'x',
      diff: {
        before: { name: 'db', value: 'hunter2-old', nested: { refreshToken: 'rt_abc', list: [{ password: 'p4ss' }] } },
        after: { name: 'db', value: 'hunter2-new', key_hash: 'deadbeef', totpSecret: 'JBSWY3DP', recoveryCodes: ['a-b'], clientSecret: 's3cr3t' },
      },
    }));
    const { rows } = await owner.query<{ diff: string }>('select diff::text as diff from audit_events where workspace_id = $1', [ws]);
    for (const secret of ['hunter2', 'rt_abc', 'p4ss', 'deadbeef', 'JBSWY3DP', 'a-b', 's3cr3t']) assert.doesNotMatch(rows[0].diff, new RegExp(secret));
    const diff = JSON.parse(rows[0].diff);
    assert.equal(diff.before.name, 'db');
    assert.equal(diff.before.value, '[redacted]');
    assert.equal(diff.before.nested.list[0].password, '[redacted]');
    assert.equal(diff.after.clientSecret, '[redacted]');
    assert.equal((await platform.audit.verifyWorkspace(ws)).isValid, true);
  });

  test('retention deletes the old prefix, records the anchor, and what remains still verifies', async () => {
    const ws = await newWorkspace('chain-retention');
    await owner.query(`insert into workspace_settings (workspace_id, key, value) values ($1, 'audit.retention_days', '30')`, [ws]);
    const keep = await newWorkspace('chain-retention-keep'); // default policy: 400 days
    await append(ws, 4);
    await append(keep, 3);
    // "Now" is 31 days ahead: every event of `ws` is past its 30 days; `keep`'s are not past 400.
    const run = await platform.audit.applyRetention({ now: new Date(Date.now() + 31 * 86_400_000) });
    assert.deepEqual(run.byWorkspace.filter((w) => w.workspaceId === ws || w.workspaceId === keep), [{ workspaceId: ws, deleted: 4 }]);
    const anchor = (await owner.query('select anchor_seq::int, anchor_hash, deleted_count::int from audit_chain_anchors where workspace_id = $1', [ws])).rows[0];
    assert.equal(anchor.anchor_seq, 4);
    assert.equal(anchor.deleted_count, 4);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 0, anchorSeq: 4, headSeq: 4, pending: 0 });

    // The chain continues from the anchor, and verifies from there.
    await append(ws, 3);
    const seqs = await chain(ws);
    assert.deepEqual(seqs.map((r) => r.seq), [5, 6, 7]);
    assert.equal(seqs[0].prev_hash, anchor.anchor_hash);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 3, anchorSeq: 4, headSeq: 7, pending: 0 });
    assert.deepEqual(await platform.audit.verifyWorkspace(keep), { isValid: true, checked: 3, anchorSeq: 0, headSeq: 3, pending: 0 });

    // A partial cut: only events older than the cutoff go; a second run changes nothing.
    await owner.query('begin');
    await owner.query('alter table audit_events disable trigger user');
    await owner.query(`update audit_events set occurred_at = occurred_at - interval '60 days'
      where workspace_id = $1 and id in (select event_id from audit_chain where workspace_id = $1 and seq <= 6)`, [ws]);
    await owner.query('alter table audit_events enable trigger user');
    await owner.query('commit');
    // Backdating changed what is hashed: re-verify only after retention removed those rows.
    const partial = await platform.audit.applyRetention();
    assert.deepEqual(partial.byWorkspace.filter((w) => w.workspaceId === ws), [{ workspaceId: ws, deleted: 2 }]);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 1, anchorSeq: 6, headSeq: 7, pending: 0 });
    assert.deepEqual((await platform.audit.applyRetention()).byWorkspace.filter((w) => w.workspaceId === ws), []);
  });

  test('verification of one chain is done in one snapshot (anchor and links together)', async () => {
    const ws = await newWorkspace('chain-snapshot');
    await append(ws, 2);
    const result = await platform.db.withPlatform((tx) => verifyChainIn(tx, ws));
    assert.deepEqual(result, { isValid: true, checked: 2, anchorSeq: 0, headSeq: 2, pending: 0 });
    // An unknown workspace has an empty, valid chain.
    assert.deepEqual(await platform.db.withPlatform((tx) => verifyChainIn(tx, uuidv7())), { isValid: true, checked: 0, anchorSeq: 0, headSeq: 0, pending: 0 });
  });
});
