-- Audit trail: the hash chain is sealed after commit, no longer inside every audited mutation
-- (docs/adr/0012-audit-chain-sealed-after-commit.md; figures in docs/benchmarks.md).
--
-- Until now a BEFORE INSERT trigger took a per-workspace advisory lock held to commit, probed the
-- previous link and hashed the row: every audited mutation of a workspace queued behind the
-- previous one, and the link, its index and its lock were most of what an event cost a request.
-- Now:
--  * an event is a plain INSERT in the mutation's transaction, atomic with it as before (no
--    lock, no trigger). `tx` records the inserting transaction's id;
--  * the sealer (src/modules/audit/seal-chain.ts, in the workers, every second) takes events
--    whose transactions are all finished (tx below the oldest running transaction id, so no
--    event can still appear behind it), in (tx, id) order, and appends one link per event to
--    audit_chain: seq, prev_hash and hash = sha256(prev_hash + canonical form) exactly as
--    before (the format is unchanged, so links made by the old trigger are copied as they are);
--  * verification walks audit_chain, recomputing each hash from the event row, and reports
--    events not sealed yet; an event older than the sealer's position without a link was
--    inserted behind its back, and breaks the chain.
-- Events stay append-only (same guard triggers); links are written by the platform path only and
-- are append-only too; retention removes a prefix of links and their events and moves the anchor.

create table audit_chain (
  workspace_id uuid not null,
  seq          bigint not null check (seq > 0),
  event_id     uuid not null,
  prev_hash    text not null,
  hash         text not null,
  sealed_at    timestamptz not null default now(),
  primary key (workspace_id, seq),
  -- Listings show each event's link; verification finds events without one.
  unique (workspace_id, event_id)
);

insert into audit_chain (workspace_id, seq, event_id, prev_hash, hash, sealed_at)
  select workspace_id, seq, id, prev_hash, hash, occurred_at from audit_events;

-- Where the sealer is: every event at or before (tx, event_id) has its link. Existing events get
-- tx 0, sealed above.
create table audit_seal_position (
  id        boolean primary key default true check (id),
  tx        bigint not null,
  event_id  uuid not null,
  sealed_at timestamptz not null default now()
);
insert into audit_seal_position (tx, event_id) values (0, 'ffffffff-ffff-ffff-ffff-ffffffffffff');

alter table audit_events add column tx bigint not null default 0;
alter table audit_events alter column tx set default (pg_current_xact_id()::text::bigint);
-- The sealer's scan: rows arrive in roughly tx order; a BRIN costs next to nothing per insert.
create index audit_events_tx_brin on audit_events using brin (tx) with (pages_per_range = 16, autosummarize = on);

drop trigger audit_events_append on audit_events;
drop function atrium_audit_events_append();

-- An event's transaction is the database's to say (the sealer's order and its check for events
-- slipped in behind it rest on it): the request and platform roles may insert every column but tx.
revoke insert on audit_events from atrium_app, atrium_platform;
grant insert (id, workspace_id, occurred_at, actor_type, actor_id, real_actor_id, action, target_type, target_id, diff, ip,
  user_agent, request_id, trace_id, outcome) on audit_events to atrium_app, atrium_platform;

-- Listings within a workspace page on the event id (a UUIDv7 made by the recording process,
-- monotonic within it: creation order), served by the primary key and by each filter index's
-- trailing id.
drop index audit_events_actor_idx;
drop index audit_events_action_idx;
drop index audit_events_target_idx;
alter table audit_events drop constraint audit_events_workspace_id_seq_key;
alter table audit_events drop column seq, drop column prev_hash, drop column hash;
create index audit_events_actor_idx on audit_events (workspace_id, actor_id, id);
create index audit_events_action_idx on audit_events (workspace_id, action, id);
create index audit_events_target_idx on audit_events (workspace_id, target_type, target_id, id);
-- The time is the recording process's (the id's millisecond): no trigger sets it any more.
alter table audit_events alter column occurred_at set default date_trunc('milliseconds', clock_timestamp());
-- Like api_logs (0017): the foreign key cost a lookup and a row lock on the workspace per event,
-- and every concurrent mutation of a workspace locked the same row. RLS's WITH CHECK already
-- keeps an event in the bound workspace; workspaces are only soft-deleted.
alter table audit_events drop constraint audit_events_workspace_id_fkey;

-- Every insert ran nine CHECK expressions (two regular expressions), parsed again for each
-- statement: a sixth of what an event cost the database. Formats and lengths are the writing
-- door's to enforce (record-event.ts validates the action and target type and clips every text;
-- nothing else inserts events); the table keeps the two closed sets its readers rely on.
alter table audit_events
  drop constraint audit_events_actor_type_check, drop constraint audit_events_action_check,
  drop constraint audit_events_target_type_check, drop constraint audit_events_target_id_check,
  drop constraint audit_events_ip_check, drop constraint audit_events_user_agent_check,
  drop constraint audit_events_request_id_check, drop constraint audit_events_trace_id_check,
  drop constraint audit_events_outcome_check,
  add constraint audit_events_kind_check check (actor_type in ('user', 'api_key', 'system', 'platform_admin') and outcome in ('success', 'failure', 'denied'));

-- Unbound transactions (identity and platform paths): same contract as before, returns the id.
drop function atrium_audit_append(uuid, uuid, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text);
create function atrium_audit_append(
  p_id uuid, p_workspace_id uuid, p_occurred_at timestamptz, p_actor_type text, p_actor_id uuid, p_real_actor_id uuid,
  p_action text, p_target_type text, p_target_id text, p_diff jsonb, p_ip text, p_user_agent text,
  p_request_id text, p_trace_id text, p_outcome text
) returns uuid
language plpgsql volatile as $$
declare
  bound uuid := atrium_current_workspace();
  new_id uuid;
begin
  if bound is not null and bound <> p_workspace_id then
    raise exception 'audit: the transaction is bound to another workspace' using errcode = 'insufficient_privilege';
  end if;
  if bound is null then
    perform set_config('app.workspace_id', p_workspace_id::text, true);
  end if;
  insert into audit_events (id, workspace_id, occurred_at, actor_type, actor_id, real_actor_id, action, target_type,
    target_id, diff, ip, user_agent, request_id, trace_id, outcome)
  values (coalesce(p_id, atrium_uuidv7()), p_workspace_id, coalesce(p_occurred_at, date_trunc('milliseconds', clock_timestamp())),
    p_actor_type, p_actor_id, p_real_actor_id, p_action, p_target_type, p_target_id, p_diff, p_ip, p_user_agent,
    p_request_id, p_trace_id, coalesce(p_outcome, 'success'))
  returning audit_events.id into new_id;
  if bound is null then
    perform set_config('app.workspace_id', '', true);
  end if;
  return new_id;
end $$;
revoke all on function atrium_audit_append(uuid, uuid, timestamptz, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text) from public;
grant execute on function atrium_audit_append(uuid, uuid, timestamptz, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text)
  to atrium_app, atrium_platform;

-- Links: read by the tenant (its own), written by the platform path (the sealer), append-only
-- but for retention.
alter table audit_chain enable row level security;
alter table audit_chain force row level security;
create policy tenant_isolation on audit_chain
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on audit_chain to atrium_platform using (true) with check (true);

create or replace function atrium_audit_chain_guard() returns trigger
language plpgsql as $$
begin
  if tg_op = 'DELETE' and atrium_audit_is_retention() then
    return old;
  end if;
  raise exception 'audit_chain is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end $$;
create trigger audit_chain_no_update before update on audit_chain
  for each row execute function atrium_audit_chain_guard();
create trigger audit_chain_no_delete before delete on audit_chain
  for each row execute function atrium_audit_chain_guard();
create trigger audit_chain_no_truncate before truncate on audit_chain
  for each statement execute function atrium_audit_chain_guard();

grant select on audit_chain to atrium_app;
grant select, insert, delete on audit_chain to atrium_platform;
-- The position is the platform's (it names an event of some workspace). A tenant's verification
-- only needs its transaction number, through a function owned by the migrating role.
alter table audit_seal_position enable row level security;
create policy platform_access on audit_seal_position to atrium_platform using (true) with check (true);
grant select, update on audit_seal_position to atrium_platform;
create function atrium_audit_sealed_through() returns bigint
language sql stable security definer set search_path = pg_catalog, public as $$
  select tx from audit_seal_position
$$;
revoke all on function atrium_audit_sealed_through() from public;
grant execute on function atrium_audit_sealed_through() to atrium_app, atrium_platform;
