-- Audit trail: a cheaper append (governance issue bench, target ≤ 1.2×; docs/adr/0007 "Append
-- cost", docs/benchmarks.md). Alters what 0004_audit.sql made; every guarantee stays:
-- append-only, one chain per workspace, appends serialised per workspace, verification,
-- retention anchors.
--
--  * Indexes: an event row carried seven btrees. Tenant listings now sort by seq (the chain's
--    order, which is also time order: see the trigger), so the filter indexes end on seq and the
--    (workspace_id, seq) unique index of 0004 serves the default listing and the cursor. Gone:
--    the tenant time index and the platform-wide time index (the platform admin's listing across
--    workspaces sorts the matching rows; it is rare and may be narrowed by workspace or time).
--    Time ranges are served by a BRIN index on occurred_at (rows arrive in time order; a BRIN
--    costs next to nothing per insert).
--  * Trigger: the advisory lock key is uuid_hash(workspace_id) (no uuid → text cast and text
--    hash), and the one probe of (workspace_id, seq) that finds the previous link also yields
--    its time, so occurred_at never goes backwards within a chain (greatest(clock, previous)):
--    seq order and time order agree by construction, not only when the clock is well behaved.
--  * The tenant path sends a plain INSERT (src/modules/audit/audit.store.ts); RLS's WITH CHECK
--    keeps it inside the bound workspace. atrium_audit_append() stays for unbound transactions
--    (identity and platform paths) and refuses a transaction bound to another workspace.

drop index audit_events_time_idx;
drop index audit_events_platform_time_idx;
drop index audit_events_actor_idx;
drop index audit_events_action_idx;
drop index audit_events_target_idx;

-- One per filter family of the query API, followed by the sort key. Actor: the id (a user's or
-- an API key's uuid names its type); a filter on actor_type alone walks the seq index.
create index audit_events_actor_idx on audit_events (workspace_id, actor_id, seq);
-- Exact action, or a prefix (`member.*` → LIKE 'member.%', served by the C collation).
create index audit_events_action_idx on audit_events (workspace_id, action, seq);
-- Target type, or type and id.
create index audit_events_target_idx on audit_events (workspace_id, target_type, target_id, seq);
-- Time ranges (from/to), tenant and platform listings and retention's cutoff.
create index audit_events_time_brin on audit_events using brin (occurred_at);

-- Same contract as 0004's trigger (seq, time, prev_hash and hash are the database's), cheaper.
create or replace function atrium_audit_events_append() returns trigger
language plpgsql as $$
declare
  last_seq bigint;
  last_hash text;
  last_at timestamptz;
begin
  -- Held to commit: concurrent appends to one workspace queue here; other workspaces don't.
  perform pg_advisory_xact_lock(7215004, uuid_hash(new.workspace_id));
  -- One backward probe of the (workspace_id, seq) index, in a snapshot taken after the lock.
  select e.seq, e.hash, e.occurred_at into last_seq, last_hash, last_at from audit_events e
    where e.workspace_id = new.workspace_id order by e.seq desc limit 1;
  if not found then
    select a.anchor_seq, a.anchor_hash into last_seq, last_hash from audit_chain_anchors a
      where a.workspace_id = new.workspace_id;
    if not found then
      last_seq := 0;
      last_hash := repeat('0', 64);
    end if;
  end if;
  new.seq := last_seq + 1;
  new.prev_hash := last_hash;
  -- Milliseconds (the value survives a JavaScript Date), and never before the previous link
  -- (greatest() ignores the null of an empty chain): seq order is time order.
  new.occurred_at := greatest(date_trunc('milliseconds', clock_timestamp()), last_at);
  new.hash := atrium_audit_hash(new.prev_hash, new.workspace_id, new.id, new.seq, new.occurred_at,
    new.actor_type, new.actor_id, new.real_actor_id, new.action, new.target_type, new.target_id,
    new.diff, new.ip, new.user_agent, new.request_id, new.trace_id, new.outcome);
  return new;
end $$;
