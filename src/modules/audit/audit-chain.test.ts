// The audit trail in SQL and through the module: the chain, its verification, tampering,
// append-only grants and triggers, and retention.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startTestPlatform } from '../../../test/helpers/platform.ts';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import { systemContext } from './index.ts';
import type { AuditContext } from './index.ts';
import { GENESIS_HASH, linkHash } from './hash-chain.ts';
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
  }

  /** As the owner with the append-only triggers off: what an attacker with the database would do. */
  async function tamper(sql: string, values: unknown[]): Promise<void> {
    await owner.query('begin');
    await owner.query('alter table audit_events disable trigger user');
    await owner.query(sql, values);
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

  test('appends are numbered from 1 and chained; the database hash and the verifier\'s agree', async () => {
    const ws = await newWorkspace('chain-basic');
    await append(ws, 5);
    const { rows } = await owner.query<{ seq: number; prev_hash: string; hash: string; actor_type: string; ip: string; request_id: string }>(
      'select seq::int, prev_hash, hash, actor_type, ip, request_id from audit_events where workspace_id = $1 order by seq', [ws]);
    assert.deepEqual(rows.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.equal(rows[0].prev_hash, GENESIS_HASH);
    for (let i = 1; i < rows.length; i++) assert.equal(rows[i].prev_hash, rows[i - 1].hash);
    assert.deepEqual([rows[0].actor_type, rows[0].ip, rows[0].request_id], ['user', '203.0.113.9', 'req-1']);
    const result = await platform.audit.verifyWorkspace(ws);
    assert.deepEqual(result, { isValid: true, checked: 5, anchorSeq: 0, headSeq: 5 });
  });

  test('the application cannot choose seq, time or hashes: the trigger overwrites them', async () => {
    const ws = await newWorkspace('chain-forged');
    await platform.db.withWorkspace(ws, (tx) => tx.query(
      `insert into audit_events (workspace_id, seq, occurred_at, actor_type, action, target_type, prev_hash, hash)
       values ($1, 99, '2000-01-01', 'system', 'thing.forged', 'thing', repeat('a', 64), repeat('b', 64))`, [ws]));
    const { rows } = await owner.query('select seq::int, occurred_at > now() - interval \'1 minute\' as is_now, prev_hash, hash from audit_events where workspace_id = $1', [ws]);
    assert.equal(rows[0].seq, 1);
    assert.equal(rows[0].is_now, true);
    assert.equal(rows[0].prev_hash, GENESIS_HASH);
    assert.notEqual(rows[0].hash, 'b'.repeat(64));
    assert.equal((await platform.audit.verifyWorkspace(ws)).isValid, true);
  });

  test('concurrent appends to one workspace form one contiguous chain', async () => {
    const ws = await newWorkspace('chain-concurrent');
    await Promise.all(Array.from({ length: 24 }, (_, i) => platform.db.withWorkspace(ws, (tx) => platform.audit.record(tx, actor, {
      workspaceId: ws, action: 'thing.created', targetType: 'thing', targetId: String(i),
    }))));
    const { rows } = await owner.query<{ seq: number }>('select seq::int from audit_events where workspace_id = $1 order by seq', [ws]);
    assert.deepEqual(rows.map((r) => r.seq), Array.from({ length: 24 }, (_, i) => i + 1));
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 24, anchorSeq: 0, headSeq: 24 });
  });

  test('tampering with one row (diff edited with the trigger off) is found at that seq', async () => {
    const ws = await newWorkspace('chain-tampered');
    await append(ws, 6);
    await tamper(`update audit_events set diff = '{"before": {"n": 2}, "after": {"n": 1000}}' where workspace_id = $1 and seq = 3`, [ws]);
    const id = (await owner.query<{ id: string }>('select id from audit_events where workspace_id = $1 and seq = 3', [ws])).rows[0].id;
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

  test('a row re-hashed by the attacker breaks the next link; a deleted row leaves a gap', async () => {
    const ws = await newWorkspace('chain-rehashed');
    await append(ws, 5);
    // Recompute row 2's own hash after changing its actor: row 3's prev_hash no longer matches.
    const row = (await owner.query(`select * from audit_events where workspace_id = $1 and seq = 2`, [ws])).rows[0];
    const forged = (await owner.query<{ h: string }>(
      `select atrium_audit_hash($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) as h`,
      [row.prev_hash, ws, row.id, row.seq, row.occurred_at, 'system', null, null, row.action, row.target_type, row.target_id, row.diff, row.ip, row.user_agent, row.request_id, row.trace_id, row.outcome],
    )).rows[0].h;
    await tamper(`update audit_events set actor_type = 'system', actor_id = null, hash = $2 where workspace_id = $1 and seq = 2`, [ws, forged]);
    const rehashed = await platform.audit.verifyWorkspace(ws);
    assert.deepEqual([rehashed.isValid, rehashed.firstBrokenSeq, rehashed.reason], [false, 3, 'prev_hash_mismatch']);

    const gap = await newWorkspace('chain-gap');
    await append(gap, 5);
    await tamper('delete from audit_events where workspace_id = $1 and seq = 4', [gap]);
    const result = await platform.audit.verifyWorkspace(gap);
    assert.deepEqual([result.isValid, result.firstBrokenSeq, result.reason], [false, 5, 'seq_gap']);
  });

  test('the verifier recomputes the SQL hash from the stored text of every field', async () => {
    const ws = await newWorkspace('chain-recompute');
    await append(ws, 1);
    const links: Array<{ prevHash: string; hash: string }> = [];
    await platform.db.withWorkspace(ws, async (tx) => {
      const { scanChain } = await import('./audit.store.ts');
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
    ]) {
      await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query(sql, [ws])), /permission denied/);
      await assert.rejects(owner.query(sql, [ws]), /append-only/);
    }
    await assert.rejects(platform.db.withWorkspace(ws, (tx) => tx.query('truncate audit_events')), /permission denied/);
    await assert.rejects(owner.query('truncate audit_events'), /append-only/);
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
    const rows = (await owner.query('select action, actor_type from audit_events where workspace_id = $1 order by seq', [b])).rows;
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
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 0, anchorSeq: 4, headSeq: 4 });

    // The chain continues from the anchor, and verifies from there.
    await append(ws, 3);
    const seqs = (await owner.query<{ seq: number; prev_hash: string }>('select seq::int, prev_hash from audit_events where workspace_id = $1 order by seq', [ws])).rows;
    assert.deepEqual(seqs.map((r) => r.seq), [5, 6, 7]);
    assert.equal(seqs[0].prev_hash, anchor.anchor_hash);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 3, anchorSeq: 4, headSeq: 7 });
    assert.deepEqual(await platform.audit.verifyWorkspace(keep), { isValid: true, checked: 3, anchorSeq: 0, headSeq: 3 });

    // A partial cut: only events older than the cutoff go; a second run changes nothing.
    await owner.query('begin');
    await owner.query('alter table audit_events disable trigger user');
    await owner.query(`update audit_events set occurred_at = occurred_at - interval '60 days' where workspace_id = $1 and seq <= 6`, [ws]);
    await owner.query('alter table audit_events enable trigger user');
    await owner.query('commit');
    // Backdating changed what is hashed: re-verify only after retention removed those rows.
    const partial = await platform.audit.applyRetention();
    assert.deepEqual(partial.byWorkspace.filter((w) => w.workspaceId === ws), [{ workspaceId: ws, deleted: 2 }]);
    assert.deepEqual(await platform.audit.verifyWorkspace(ws), { isValid: true, checked: 1, anchorSeq: 6, headSeq: 7 });
    assert.deepEqual((await platform.audit.applyRetention()).byWorkspace.filter((w) => w.workspaceId === ws), []);
  });

  test('verification of one chain is done in one snapshot (anchor and links together)', async () => {
    const ws = await newWorkspace('chain-snapshot');
    await append(ws, 2);
    const result = await platform.db.withPlatform((tx) => verifyChainIn(tx, ws));
    assert.deepEqual(result, { isValid: true, checked: 2, anchorSeq: 0, headSeq: 2 });
    // An unknown workspace has an empty, valid chain.
    assert.deepEqual(await platform.db.withPlatform((tx) => verifyChainIn(tx, uuidv7())), { isValid: true, checked: 0, anchorSeq: 0, headSeq: 0 });
  });
});
