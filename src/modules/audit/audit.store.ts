// SQL of audit_events and audit_chain_anchors. Appends are one plain INSERT in a transaction
// bound to the event's workspace, else atrium_audit_append() (the trigger assigns seq, time and
// hashes either way). Reads within a workspace are keyset-paged on seq (the chain's order, which
// is time order: migration 0009), which the indexes serve in both directions; the platform
// listing across workspaces pages on (occurred_at, id).
import type { Tx } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { AuditActorType, AuditEvent, AuditFilters, AuditOutcome, AuditSort } from './audit.types.ts';
import type { ChainLink } from './hash-chain.ts';

export type AppendRow = {
  workspaceId: string;
  actorType: AuditActorType;
  actorId: string | null;
  realActorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  diff: unknown;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  traceId: string | null;
  outcome: AuditOutcome;
};

// The id is a UUIDv7 made here (one function call less on the server). The tenant path's
// statement: a plain INSERT, guarded so it writes only in a transaction bound to the event's
// workspace (RLS's WITH CHECK would refuse another workspace anyway); otherwise it inserts
// nothing and the wrapper below runs (identity and platform paths bind for the one insert; a
// transaction bound to another workspace is refused there).
export const INSERT_SQL = `insert into audit_events (id, workspace_id, actor_type, actor_id, real_actor_id, action, target_type,
    target_id, diff, ip, user_agent, request_id, trace_id, outcome)
  select $1::uuid, $2::uuid, $3::text, $4::uuid, $5::uuid, $6::text, $7::text, $8::text, $9::jsonb, $10::text, $11::text,
    $12::text, $13::text, $14::text
  where $2::uuid = atrium_current_workspace()
  returning id, seq`;

export const APPEND_SQL = 'select event_id as id, event_seq as seq from atrium_audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9::jsonb, $10, $11, $12, $13, $14)';

export async function appendEvent(tx: Tx, row: AppendRow): Promise<{ id: string; seq: number }> {
  const values = [
    uuidv7(), row.workspaceId, row.actorType, row.actorId, row.realActorId, row.action, row.targetType, row.targetId,
    row.diff === null || row.diff === undefined ? null : JSON.stringify(row.diff),
    row.ip, row.userAgent, row.requestId, row.traceId, row.outcome,
  ];
  const inserted = await tx.query<{ id: string; seq: number }>({ name: 'atrium_audit_insert', text: INSERT_SQL, values });
  const { rows } = inserted.rows.length > 0 ? inserted : await tx.query<{ id: string; seq: number }>({ name: 'atrium_audit_append', text: APPEND_SQL, values });
  return { id: rows[0].id, seq: Number(rows[0].seq) };
}

type EventRow = {
  id: string; workspace_id: string; seq: number; occurred_at: Date; actor_type: AuditActorType; actor_id: string | null;
  real_actor_id: string | null; action: string; target_type: string; target_id: string | null; diff: AuditEvent['diff'];
  ip: string | null; user_agent: string | null; request_id: string | null; trace_id: string | null; outcome: AuditOutcome;
  prev_hash: string; hash: string;
};

const COLUMNS = `id, workspace_id, seq, occurred_at, actor_type, actor_id, real_actor_id, action, target_type, target_id,
  diff, ip, user_agent, request_id, trace_id, outcome, prev_hash, hash`;

export function toEvent(r: EventRow): AuditEvent {
  return {
    id: r.id, workspaceId: r.workspace_id, seq: r.seq, occurredAt: r.occurred_at.toISOString(), actorType: r.actor_type,
    actorId: r.actor_id, realActorId: r.real_actor_id, action: r.action, targetType: r.target_type, targetId: r.target_id,
    diff: r.diff, ip: r.ip, userAgent: r.user_agent, requestId: r.request_id, traceId: r.trace_id, outcome: r.outcome,
    prevHash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Where a page starts: the last event of the previous page. Within a workspace the page key is
 * its seq (a cursor from before migration 0009 has none: its id names it); across workspaces
 * (occurred_at, id).
 */
export type Keyset = { occurredAt: string; id: string; seq?: number };

export type EventQuery = {
  /** Tenant path: the bound workspace. Platform path: optional filter. */
  workspaceId?: string;
  filters: AuditFilters;
  sort: AuditSort;
  after?: Keyset;
  limit: number;
};

/** The statement for a page of events: filters as parameters, one text per filter combination. */
export function eventPageStatement(q: EventQuery): { text: string; values: unknown[] } {
  const where: string[] = [];
  const values: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown) => {
    values.push(value);
    where.push(sql(`$${values.length}`));
  };
  const f = q.filters;
  if (q.workspaceId !== undefined) add((p) => `workspace_id = ${p}::uuid`, q.workspaceId);
  if (f.actorType !== undefined) add((p) => `actor_type = ${p}`, f.actorType);
  if (f.actorId !== undefined) add((p) => `actor_id = ${p}::uuid`, f.actorId);
  if (f.action !== undefined) {
    if (f.action.endsWith('*')) {
      // Prefix: LIKE with the wildcards of the prefix escaped; the C collation lets the index serve it.
      add((p) => `action like ${p}`, `${f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    } else {
      add((p) => `action = ${p}`, f.action);
    }
  }
  if (f.targetType !== undefined) add((p) => `target_type = ${p}`, f.targetType);
  if (f.targetId !== undefined) add((p) => `target_id = ${p}`, f.targetId);
  if (f.from !== undefined) add((p) => `occurred_at >= ${p}::timestamptz`, f.from);
  if (f.to !== undefined) add((p) => `occurred_at < ${p}::timestamptz`, f.to);
  if (f.outcome !== undefined) add((p) => `outcome = ${p}`, f.outcome);
  // One workspace: the chain's order (seq), served by the (workspace_id, seq) index and by each
  // filter index's trailing seq. Every workspace (platform listing): time, then id.
  const isChainOrder = q.workspaceId !== undefined;
  const op = q.sort === 'asc' ? '>' : '<';
  if (q.after && isChainOrder && q.after.seq !== undefined) {
    add((p) => `seq ${op} ${p}::bigint`, q.after.seq);
  } else if (q.after && isChainOrder) {
    add((p) => `seq ${op} (select c.seq from audit_events c where c.workspace_id = $1::uuid and c.id = ${p}::uuid)`, q.after.id);
  } else if (q.after) {
    values.push(q.after.occurredAt, q.after.id);
    where.push(`(occurred_at, id) ${op} ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(q.limit);
  const dir = q.sort === 'asc' ? 'asc' : 'desc';
  return {
    text: `select ${COLUMNS} from audit_events ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${isChainOrder ? `seq ${dir}` : `occurred_at ${dir}, id ${dir}`} limit $${values.length}`,
    values,
  };
}

export async function selectEventPage(tx: Tx, q: EventQuery): Promise<AuditEvent[]> {
  const { text, values } = eventPageStatement(q);
  const { rows } = await tx.query<EventRow>(text, values);
  return rows.map(toEvent);
}

export async function selectEvent(tx: Tx, workspaceId: string, id: string): Promise<AuditEvent | null> {
  const { rows } = await tx.query<EventRow>(`select ${COLUMNS} from audit_events where workspace_id = $1 and id = $2`, [workspaceId, id]);
  return rows[0] ? toEvent(rows[0]) : null;
}

// ---------------------------------------------------------------------------------------------
// Verification: the anchor and every link, read through one cursor (one snapshot), in seq order.

type LinkRow = {
  id: string; workspace_id: string; seq: number; occurred_micros: string; actor_type: string; actor_id: string | null;
  real_actor_id: string | null; action: string; target_type: string; target_id: string | null; diff_text: string | null;
  ip: string | null; user_agent: string | null; request_id: string | null; trace_id: string | null; outcome: string;
  prev_hash: string; hash: string;
};

function toLink(r: LinkRow): ChainLink {
  return {
    id: r.id, workspaceId: r.workspace_id, seq: r.seq, occurredMicros: r.occurred_micros, actorType: r.actor_type,
    actorId: r.actor_id, realActorId: r.real_actor_id, action: r.action, targetType: r.target_type, targetId: r.target_id,
    diffText: r.diff_text, ip: r.ip, userAgent: r.user_agent, requestId: r.request_id, traceId: r.trace_id,
    outcome: r.outcome, prevHash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Calls `onLink` for every link of a workspace's chain in seq order, after `onAnchor`; stops
 * when `onLink` returns false. Must run inside a transaction (the cursor lives in it).
 */
export async function scanChain(
  tx: Tx,
  workspaceId: string,
  handlers: { onAnchor(anchor: { seq: number; hash: string } | null): void; onLink(link: ChainLink): boolean },
  batchSize = 1000,
): Promise<void> {
  // The anchor is read in the cursor's snapshot too (first row, kind 'a'), so a retention run
  // committing meanwhile can't make the rows and the anchor disagree.
  await tx.query(
    `declare atrium_audit_chain no scroll cursor for
     select 'a' as kind, workspace_id::text as workspace_id, null::text as id, anchor_seq as seq, null::text as occurred_micros,
            null::text as actor_type, null::text as actor_id, null::text as real_actor_id, null::text as action,
            null::text as target_type, null::text as target_id, null::text as diff_text, null::text as ip,
            null::text as user_agent, null::text as request_id, null::text as trace_id, null::text as outcome,
            null::text as prev_hash, anchor_hash as hash, 0 as ord
       from audit_chain_anchors where workspace_id = $1
     union all
     select 'e', workspace_id::text, id::text, seq, ((extract(epoch from occurred_at) * 1000000)::bigint)::text,
            actor_type, actor_id::text, real_actor_id::text, action, target_type, target_id, diff::text, ip,
            user_agent, request_id, trace_id, outcome, prev_hash, hash, 1
       from audit_events where workspace_id = $1
     order by ord, seq`,
    [workspaceId],
  );
  let isAnchorSeen = false;
  try {
    for (;;) {
      const { rows } = await tx.query<LinkRow & { kind: 'a' | 'e' }>(`fetch ${batchSize} from atrium_audit_chain`);
      for (const row of rows) {
        if (row.kind === 'a') {
          isAnchorSeen = true;
          handlers.onAnchor({ seq: row.seq, hash: row.hash });
          continue;
        }
        if (!isAnchorSeen) {
          isAnchorSeen = true;
          handlers.onAnchor(null);
        }
        if (!handlers.onLink(toLink(row))) return;
      }
      if (rows.length < batchSize) break;
    }
    if (!isAnchorSeen) handlers.onAnchor(null);
  } finally {
    await tx.query('close atrium_audit_chain');
  }
}

// ---------------------------------------------------------------------------------------------
// Retention (platform path only).

/** Workspaces with events, and their retention in days (the stored setting, else the default). */
export async function listRetentionPolicies(tx: Tx, defaultDays: number): Promise<Array<{ workspaceId: string; days: number }>> {
  const { rows } = await tx.query<{ workspace_id: string; days: number }>(
    `select w.id as workspace_id,
            coalesce(case when jsonb_typeof(s.value) = 'number' then (s.value)::int end, $1::int) as days
       from workspaces w
       left join workspace_settings s on s.workspace_id = w.id and s.key = 'audit.retention_days'
      where exists (select 1 from audit_events e where e.workspace_id = w.id)
      order by w.id`,
    [defaultDays],
  );
  return rows.map((r) => ({ workspaceId: r.workspace_id, days: r.days }));
}

/**
 * Deletes the prefix of a workspace's chain older than `cutoff` and moves its anchor to the last
 * deleted link, in the caller's transaction (which has set the retention flag). The prefix is
 * cut by seq, so what remains is contiguous.
 */
export async function deleteChainPrefix(tx: Tx, workspaceId: string, cutoff: Date): Promise<number> {
  const last = await tx.query<{ seq: number; hash: string }>(
    `select seq, hash from audit_events where workspace_id = $1 and seq = (
       select max(seq) from audit_events where workspace_id = $1 and occurred_at < $2)`,
    [workspaceId, cutoff],
  );
  const anchor = last.rows[0];
  if (!anchor) return 0;
  const deleted = await tx.query('delete from audit_events where workspace_id = $1 and seq <= $2', [workspaceId, anchor.seq]);
  const count = deleted.rowCount ?? 0;
  await tx.query(
    `insert into audit_chain_anchors (workspace_id, anchor_seq, anchor_hash, deleted_count) values ($1, $2, $3, $4)
     on conflict (workspace_id) do update set anchor_seq = excluded.anchor_seq, anchor_hash = excluded.anchor_hash,
       deleted_count = audit_chain_anchors.deleted_count + excluded.deleted_count, updated_at = now()`,
    [workspaceId, anchor.seq, anchor.hash, count],
  );
  return count;
}
