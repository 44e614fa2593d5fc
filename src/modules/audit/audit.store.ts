// SQL of audit_events, audit_chain, audit_seal_position and audit_chain_anchors (migrations 0004,
// 0009, 0018). Appends are one plain INSERT in a transaction bound to the event's workspace, else
// atrium_audit_append(); the chain's links are written after commit by the sealer
// (seal-chain.ts). Reads within a workspace are keyset-paged on the event id (a UUIDv7 made in
// creation order), which the primary key and the filter indexes serve in both directions; the
// platform listing across workspaces pages on (occurred_at, id). Each event comes with its link
// (seq, prev_hash, hash), or nulls while it waits for the sealer.
import type { Tx } from '../../kernel/db/database.ts';
import { uuidv7Monotonic, uuidv7Time } from '../../kernel/ids.ts';
import type { AuditActorType, AuditEvent, AuditFilters, AuditOutcome, AuditSort } from './audit.types.ts';
import type { ChainLink, SealableEvent } from './hash-chain.ts';

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

// The id is a UUIDv7 made here, in creation order (monotonic within the process), and the
// event's time is its millisecond. The tenant path's statement: a plain INSERT, guarded so it
// writes only in a transaction bound to the event's workspace (RLS's WITH CHECK would refuse
// another workspace anyway); otherwise it inserts nothing and the wrapper below runs (identity
// and platform paths bind for the one insert; a transaction bound to another workspace is
// refused there). No RETURNING: the id is known, and the row count says which case it was.
export const INSERT_SQL = `insert into audit_events (id, workspace_id, occurred_at, actor_type, actor_id, real_actor_id, action, target_type,
    target_id, diff, ip, user_agent, request_id, trace_id, outcome)
  select $1::uuid, $2::uuid, $3::timestamptz, $4::text, $5::uuid, $6::uuid, $7::text, $8::text, $9::text, $10::jsonb, $11::text,
    $12::text, $13::text, $14::text, $15::text
  where $2::uuid = atrium_current_workspace()`;

export const APPEND_SQL = 'select atrium_audit_append($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11, $12, $13, $14, $15) as id';

export async function appendEvent(tx: Tx, row: AppendRow): Promise<{ id: string }> {
  const id = uuidv7Monotonic();
  const values = [
    id, row.workspaceId, new Date(uuidv7Time(id)).toISOString(), row.actorType, row.actorId, row.realActorId, row.action, row.targetType,
    row.targetId, row.diff === null || row.diff === undefined ? null : JSON.stringify(row.diff),
    row.ip, row.userAgent, row.requestId, row.traceId, row.outcome,
  ];
  const inserted = await tx.query({ name: 'atrium_audit_insert', text: INSERT_SQL, values });
  if (inserted.rowCount === 0) await tx.query({ name: 'atrium_audit_append', text: APPEND_SQL, values });
  return { id };
}

type EventRow = {
  id: string; workspace_id: string; seq: number | null; occurred_at: Date; actor_type: AuditActorType; actor_id: string | null;
  real_actor_id: string | null; action: string; target_type: string; target_id: string | null; diff: AuditEvent['diff'];
  ip: string | null; user_agent: string | null; request_id: string | null; trace_id: string | null; outcome: AuditOutcome;
  prev_hash: string | null; hash: string | null;
};

// An event and its link (nulls until sealed).
const COLUMNS = `e.id, e.workspace_id, c.seq, e.occurred_at, e.actor_type, e.actor_id, e.real_actor_id, e.action, e.target_type,
  e.target_id, e.diff, e.ip, e.user_agent, e.request_id, e.trace_id, e.outcome, c.prev_hash, c.hash`;
const FROM = 'audit_events e left join audit_chain c on c.workspace_id = e.workspace_id and c.event_id = e.id';

export function toEvent(r: EventRow): AuditEvent {
  return {
    id: r.id, workspaceId: r.workspace_id, seq: r.seq === null ? null : Number(r.seq), occurredAt: r.occurred_at.toISOString(), actorType: r.actor_type,
    actorId: r.actor_id, realActorId: r.real_actor_id, action: r.action, targetType: r.target_type, targetId: r.target_id,
    diff: r.diff, ip: r.ip, userAgent: r.user_agent, requestId: r.request_id, traceId: r.trace_id, outcome: r.outcome,
    prevHash: r.prev_hash, hash: r.hash,
  };
}

/**
 * Where a page starts: the last event of the previous page. Within a workspace the page key is
 * its id (creation order); across workspaces (occurred_at, id).
 */
export type Keyset = { occurredAt: string; id: string };

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
  if (q.workspaceId !== undefined) add((p) => `e.workspace_id = ${p}::uuid`, q.workspaceId);
  if (f.actorType !== undefined) add((p) => `e.actor_type = ${p}`, f.actorType);
  if (f.actorId !== undefined) add((p) => `e.actor_id = ${p}::uuid`, f.actorId);
  if (f.action !== undefined) {
    if (f.action.endsWith('*')) {
      // Prefix: LIKE with the wildcards of the prefix escaped; the C collation lets the index serve it.
      add((p) => `e.action like ${p}`, `${f.action.slice(0, -1).replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
    } else {
      add((p) => `e.action = ${p}`, f.action);
    }
  }
  if (f.targetType !== undefined) add((p) => `e.target_type = ${p}`, f.targetType);
  if (f.targetId !== undefined) add((p) => `e.target_id = ${p}`, f.targetId);
  if (f.from !== undefined) add((p) => `e.occurred_at >= ${p}::timestamptz`, f.from);
  if (f.to !== undefined) add((p) => `e.occurred_at < ${p}::timestamptz`, f.to);
  if (f.outcome !== undefined) add((p) => `e.outcome = ${p}`, f.outcome);
  // One workspace: creation order (the id), served by the primary key and by each filter
  // index's trailing id. Every workspace (platform listing): time, then id.
  const isWorkspace = q.workspaceId !== undefined;
  const op = q.sort === 'asc' ? '>' : '<';
  if (q.after && isWorkspace) {
    add((p) => `e.id ${op} ${p}::uuid`, q.after.id);
  } else if (q.after) {
    values.push(q.after.occurredAt, q.after.id);
    where.push(`(e.occurred_at, e.id) ${op} ($${values.length - 1}::timestamptz, $${values.length}::uuid)`);
  }
  values.push(q.limit);
  const dir = q.sort === 'asc' ? 'asc' : 'desc';
  return {
    text: `select ${COLUMNS} from ${FROM} ${where.length ? `where ${where.join(' and ')}` : ''}
      order by ${isWorkspace ? `e.id ${dir}` : `e.occurred_at ${dir}, e.id ${dir}`} limit $${values.length}`,
    values,
  };
}

export async function selectEventPage(tx: Tx, q: EventQuery): Promise<AuditEvent[]> {
  const { text, values } = eventPageStatement(q);
  const { rows } = await tx.query<EventRow>(text, values);
  return rows.map(toEvent);
}

export async function selectEvent(tx: Tx, workspaceId: string, id: string): Promise<AuditEvent | null> {
  const { rows } = await tx.query<EventRow>(`select ${COLUMNS} from ${FROM} where e.workspace_id = $1 and e.id = $2`, [workspaceId, id]);
  return rows[0] ? toEvent(rows[0]) : null;
}

// ---------------------------------------------------------------------------------------------
// The canonical fields of an event as the chain hashes them: PostgreSQL's text of each stored
// column (hash-chain.ts). One fragment for the sealer and for verification, so both read alike.
const EVENT_FIELDS = `e.workspace_id::text as workspace_id, e.id::text as id,
  ((extract(epoch from e.occurred_at) * 1000000)::bigint)::text as occurred_micros, e.actor_type, e.actor_id::text as actor_id,
  e.real_actor_id::text as real_actor_id, e.action, e.target_type, e.target_id, e.diff::text as diff_text, e.ip, e.user_agent,
  e.request_id, e.trace_id, e.outcome`;

type EventFieldsRow = {
  workspace_id: string; id: string; occurred_micros: string; actor_type: string; actor_id: string | null;
  real_actor_id: string | null; action: string; target_type: string; target_id: string | null; diff_text: string | null;
  ip: string | null; user_agent: string | null; request_id: string | null; trace_id: string | null; outcome: string;
};

function toEventFields(r: EventFieldsRow): SealableEvent {
  return {
    id: r.id, workspaceId: r.workspace_id, occurredMicros: r.occurred_micros, actorType: r.actor_type, actorId: r.actor_id,
    realActorId: r.real_actor_id, action: r.action, targetType: r.target_type, targetId: r.target_id, diffText: r.diff_text,
    ip: r.ip, userAgent: r.user_agent, requestId: r.request_id, traceId: r.trace_id, outcome: r.outcome,
  };
}

// ---------------------------------------------------------------------------------------------
// Sealing (platform path only; seal-chain.ts).

export type SealPosition = { tx: number; eventId: string };

/** The sealer's position, locked for this transaction; null when another sealer holds it. */
export async function lockSealPosition(tx: Tx): Promise<SealPosition | null> {
  const { rows } = await tx.query<{ tx: number; event_id: string }>('select tx, event_id from audit_seal_position for update skip locked');
  return rows[0] ? { tx: Number(rows[0].tx), eventId: rows[0].event_id } : null;
}

/**
 * The oldest transaction still running anywhere in the cluster. Every transaction below it has
 * ended, so no event can ever appear before an event of theirs: the sealer goes no further.
 */
export async function selectSealHorizon(tx: Tx): Promise<number> {
  const { rows } = await tx.query<{ xmin: string }>('select pg_snapshot_xmin(pg_current_snapshot())::text as xmin');
  return Number(rows[0].xmin);
}

/** The first transaction id not assigned yet: every transaction committed so far is below it. */
export async function selectNextXact(tx: Tx): Promise<number> {
  const { rows } = await tx.query<{ xmax: string }>('select pg_snapshot_xmax(pg_current_snapshot())::text as xmax');
  return Number(rows[0].xmax);
}

/**
 * Events after the position whose transactions are below the horizon (all ended), in chain
 * order (tx, id). The horizon was read before this statement's snapshot, so every committed
 * event below it is visible here.
 */
export async function selectSealable(tx: Tx, after: SealPosition, horizon: number, limit: number): Promise<Array<SealableEvent & { tx: number }>> {
  const { rows } = await tx.query<EventFieldsRow & { tx: number }>({
    name: 'atrium_audit_sealable',
    text: `select e.tx, ${EVENT_FIELDS} from audit_events e
      where e.tx >= $1 and (e.tx, e.id) > ($1::bigint, $2::uuid) and e.tx < $3::bigint
      order by e.tx, e.id limit $4`,
    values: [after.tx, after.eventId, horizon, limit],
  });
  return rows.map((r) => ({ ...toEventFields(r), tx: Number(r.tx) }));
}

/** The last link of each workspace's chain (else its retention anchor, else the genesis). */
export async function selectChainHeads(tx: Tx, workspaceIds: string[], genesis: string): Promise<Map<string, { seq: number; hash: string }>> {
  const { rows } = await tx.query<{ workspace_id: string; seq: number; hash: string }>(
    `select w.id as workspace_id, coalesce(c.seq, a.anchor_seq, 0) as seq, coalesce(c.hash, a.anchor_hash, $2) as hash
       from unnest($1::uuid[]) as w(id)
       left join lateral (select seq, hash from audit_chain where workspace_id = w.id order by seq desc limit 1) c on true
       left join audit_chain_anchors a on a.workspace_id = w.id`,
    [workspaceIds, genesis],
  );
  return new Map(rows.map((r) => [r.workspace_id, { seq: Number(r.seq), hash: r.hash }]));
}

export type NewLink = { workspaceId: string; seq: number; eventId: string; prevHash: string; hash: string };

export async function insertLinks(tx: Tx, links: NewLink[]): Promise<void> {
  await tx.query({
    name: 'atrium_audit_insert_links',
    text: `insert into audit_chain (workspace_id, seq, event_id, prev_hash, hash)
      select * from unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::text[], $5::text[])`,
    values: [links.map((l) => l.workspaceId), links.map((l) => l.seq), links.map((l) => l.eventId), links.map((l) => l.prevHash), links.map((l) => l.hash)],
  });
}

/** Events after the sealer's position (not linked yet) and the age of the oldest, for /metrics. */
export async function selectSealBacklog(tx: Tx): Promise<{ events: number; oldestSeconds: number }> {
  const { rows } = await tx.query<{ events: string; oldest_seconds: number | null }>(
    `select count(*) as events, extract(epoch from now() - min(e.occurred_at))::float8 as oldest_seconds
       from audit_seal_position p join audit_events e on e.tx >= p.tx and (e.tx, e.id) > (p.tx, p.event_id)`,
  );
  return { events: Number(rows[0].events), oldestSeconds: Math.max(0, rows[0].oldest_seconds ?? 0) };
}

export async function moveSealPosition(tx: Tx, to: SealPosition): Promise<void> {
  await tx.query('update audit_seal_position set tx = $1, event_id = $2, sealed_at = now()', [to.tx, to.eventId]);
}

// ---------------------------------------------------------------------------------------------
// Verification: the anchor and every link with its event, read through one cursor (one
// snapshot), in seq order; then the events that have no link.

type LinkRow = EventFieldsRow & { seq: number; prev_hash: string; hash: string; is_missing: boolean };

function toLink(r: LinkRow): ChainLink {
  return { ...toEventFields(r), seq: Number(r.seq), prevHash: r.prev_hash, hash: r.hash, isEventMissing: r.is_missing };
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
  // committing meanwhile can't make the rows and the anchor disagree. A link whose event is
  // gone still comes (is_missing): its ids are the link's.
  await tx.query(
    `declare atrium_audit_chain no scroll cursor for
     select 'a' as kind, workspace_id::text as workspace_id, null::text as id, null::text as occurred_micros,
            null::text as actor_type, null::text as actor_id, null::text as real_actor_id, null::text as action,
            null::text as target_type, null::text as target_id, null::text as diff_text, null::text as ip,
            null::text as user_agent, null::text as request_id, null::text as trace_id, null::text as outcome,
            anchor_seq as seq, null::text as prev_hash, anchor_hash as hash, false as is_missing, 0 as ord
       from audit_chain_anchors where workspace_id = $1
     union all
     select * from (
       select 'e', c.workspace_id::text, c.event_id::text, ((extract(epoch from e.occurred_at) * 1000000)::bigint)::text,
              e.actor_type, e.actor_id::text, e.real_actor_id::text, e.action, e.target_type, e.target_id, e.diff::text, e.ip,
              e.user_agent, e.request_id, e.trace_id, e.outcome, c.seq, c.prev_hash, c.hash, e.id is null, 1
         from audit_chain c left join audit_events e on e.workspace_id = c.workspace_id and e.id = c.event_id
        where c.workspace_id = $1) l
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
          handlers.onAnchor({ seq: Number(row.seq), hash: row.hash });
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

/**
 * A workspace's events without a link: `pending` were written after the sealer's position (it
 * reaches them within seconds); `orphans` are before it, so they were inserted behind its back.
 */
export async function countUnsealed(tx: Tx, workspaceId: string): Promise<{ pending: number; orphans: number; firstOrphanId: string | null }> {
  const { rows } = await tx.query<{ pending: number; orphans: number; first_orphan: string | null }>(
    `select count(*) filter (where e.tx >= p.tx) as pending, count(*) filter (where e.tx < p.tx) as orphans,
            (min(e.id::text) filter (where e.tx < p.tx)) as first_orphan
       from audit_events e cross join (select atrium_audit_sealed_through() as tx) p
      where e.workspace_id = $1
        and not exists (select 1 from audit_chain c where c.workspace_id = e.workspace_id and c.event_id = e.id)`,
    [workspaceId],
  );
  return { pending: Number(rows[0].pending), orphans: Number(rows[0].orphans), firstOrphanId: rows[0].first_orphan };
}

// ---------------------------------------------------------------------------------------------
// Retention (platform path only).

/** Workspaces with events, and their retention in days (the stored setting, else the default). */
export async function listRetentionPolicies(tx: Tx, defaultDays: number): Promise<Array<{ workspaceId: string; days: number }>> {
  const { rows } = await tx.query<{ workspace_id: string; days: number }>(
    `select w.id as workspace_id,
            coalesce(case when jsonb_typeof(s.value) = 'number' then (s.value)::int end, $1::int) as days
       from workspace_directory w
       left join workspace_setting_values s on s.workspace_id = w.id and s.key = 'audit.retention_days'
      where exists (select 1 from audit_events e where e.workspace_id = w.id)
      order by w.id`,
    [defaultDays],
  );
  return rows.map((r) => ({ workspaceId: r.workspace_id, days: r.days }));
}

/**
 * Deletes the prefix of a workspace's chain older than `cutoff` (links and their events) and
 * moves its anchor to the last deleted link, in the caller's transaction (which has set the
 * retention flag). The prefix is cut by seq, so what remains is contiguous; events not sealed
 * yet stay (the next run takes them).
 */
export async function deleteChainPrefix(tx: Tx, workspaceId: string, cutoff: Date): Promise<number> {
  const last = await tx.query<{ seq: number; hash: string }>(
    `select seq, hash from audit_chain where workspace_id = $1 and seq = (
       select max(c.seq) from audit_events e join audit_chain c on c.workspace_id = e.workspace_id and c.event_id = e.id
        where e.workspace_id = $1 and e.occurred_at < $2)`,
    [workspaceId, cutoff],
  );
  const anchor = last.rows[0];
  if (!anchor) return 0;
  const deleted = await tx.query(
    `delete from audit_events e using audit_chain c
      where c.workspace_id = $1 and c.seq <= $2 and e.workspace_id = $1 and e.id = c.event_id`,
    [workspaceId, anchor.seq],
  );
  await tx.query('delete from audit_chain where workspace_id = $1 and seq <= $2', [workspaceId, anchor.seq]);
  const count = deleted.rowCount ?? 0;
  await tx.query(
    `insert into audit_chain_anchors (workspace_id, anchor_seq, anchor_hash, deleted_count) values ($1, $2, $3, $4)
     on conflict (workspace_id) do update set anchor_seq = excluded.anchor_seq, anchor_hash = excluded.anchor_hash,
       deleted_count = audit_chain_anchors.deleted_count + excluded.deleted_count, updated_at = now()`,
    [workspaceId, anchor.seq, anchor.hash, count],
  );
  return count;
}
