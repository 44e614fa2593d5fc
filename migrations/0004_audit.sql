-- Audit trail (governance issue): append-only, tamper-evident events per workspace
-- (docs/adr/0007-audit-hash-chain.md).
--
--  * audit_events is a tenant table (ARCHITECTURE §3). The request role may only INSERT and
--    SELECT; a trigger refuses UPDATE, DELETE and TRUNCATE for everyone, except the retention
--    path: atrium_platform with the transaction-local flag `atrium.audit_retention = on`.
--  * A BEFORE INSERT trigger serialises appends per workspace (transaction-scoped advisory
--    lock) and assigns seq, occurred_at, prev_hash and hash, so the application sends one
--    statement and can't choose them: hash = sha256(prev_hash || '\n' || canonical(row)).
--  * Retention deletes a prefix of a chain and records the last deleted link in
--    audit_chain_anchors, from which verification of what remains starts.

create table audit_events (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  seq           bigint not null,
  occurred_at   timestamptz not null,
  actor_type    text not null check (actor_type in ('user', 'api_key', 'system', 'platform_admin')),
  actor_id      uuid,
  real_actor_id uuid,
  action        text collate "C" not null check (action ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$' and length(action) <= 100),
  target_type   text collate "C" not null check (target_type ~ '^[a-z][a-z0-9_]*$' and length(target_type) <= 50),
  target_id     text collate "C" check (length(target_id) <= 200),
  diff          jsonb,
  ip            text check (length(ip) <= 100),
  user_agent    text check (length(user_agent) <= 500),
  request_id    text check (length(request_id) <= 200),
  trace_id      text check (length(trace_id) <= 200),
  outcome       text not null default 'success' check (outcome in ('success', 'failure', 'denied')),
  prev_hash     text not null check (prev_hash ~ '^[0-9a-f]{64}$'),
  hash          text not null check (hash ~ '^[0-9a-f]{64}$'),
  primary key (workspace_id, id),
  unique (workspace_id, seq)
);

-- Indexes matching the query API: the default listing (time, both directions), and each filter
-- family (actor, action — exact or prefix, C collation —, target) followed by the sort key.
-- The platform admin's cross-workspace listing sorts by time alone.
create index audit_events_time_idx on audit_events (workspace_id, occurred_at desc, id desc);
create index audit_events_actor_idx on audit_events (workspace_id, actor_type, actor_id, occurred_at desc, id desc);
create index audit_events_action_idx on audit_events (workspace_id, action, occurred_at desc, id desc);
create index audit_events_target_idx on audit_events (workspace_id, target_type, target_id, occurred_at desc, id desc);
create index audit_events_platform_time_idx on audit_events (occurred_at desc, id desc);

-- Where verification of a chain starts after retention removed its oldest links: the seq and
-- hash of the last deleted event (no row: the chain starts at seq 1 from 64 zeros).
create table audit_chain_anchors (
  workspace_id  uuid not null references workspaces (id),
  anchor_seq    bigint not null check (anchor_seq >= 0),
  anchor_hash   text not null check (anchor_hash ~ '^[0-9a-f]{64}$'),
  deleted_count bigint not null default 0,
  updated_at    timestamptz not null default now(),
  primary key (workspace_id)
);

do $$
declare t text;
begin
  foreach t in array array['audit_events', 'audit_chain_anchors'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- ---------------------------------------------------------------------------------------------
-- The canonical serialisation hashed into the chain. Each field is written as
-- `<octets>:<text>;` (or `-;` for null), in this order, so no two rows serialise alike.
-- src/modules/audit/hash-chain.ts implements the same function for verification.
create or replace function atrium_audit_field(v text) returns text
language sql immutable parallel safe as $$
  select case when v is null then '-;' else octet_length(v)::text || ':' || v || ';' end
$$;

create or replace function atrium_audit_hash(
  p_prev_hash text, p_workspace_id uuid, p_id uuid, p_seq bigint, p_occurred_at timestamptz,
  p_actor_type text, p_actor_id uuid, p_real_actor_id uuid, p_action text, p_target_type text,
  p_target_id text, p_diff jsonb, p_ip text, p_user_agent text, p_request_id text, p_trace_id text,
  p_outcome text
) returns text
-- STABLE, not IMMUTABLE: extract(epoch from timestamptz) is stable, and a SQL function is
-- inlined into its caller (the trigger) only when it is no less volatile than its body.
language sql stable parallel safe as $$
  select encode(sha256(convert_to(p_prev_hash || E'\n'
    || atrium_audit_field('v1')
    || atrium_audit_field(p_workspace_id::text)
    || atrium_audit_field(p_id::text)
    || atrium_audit_field(p_seq::text)
    || atrium_audit_field(((extract(epoch from p_occurred_at) * 1000000)::bigint)::text)
    || atrium_audit_field(p_actor_type)
    || atrium_audit_field(p_actor_id::text)
    || atrium_audit_field(p_real_actor_id::text)
    || atrium_audit_field(p_action)
    || atrium_audit_field(p_target_type)
    || atrium_audit_field(p_target_id)
    || atrium_audit_field(p_diff::text)
    || atrium_audit_field(p_ip)
    || atrium_audit_field(p_user_agent)
    || atrium_audit_field(p_request_id)
    || atrium_audit_field(p_trace_id)
    || atrium_audit_field(p_outcome), 'UTF8')), 'hex')
$$;

-- Appends are serialised per workspace by a transaction-scoped advisory lock; the previous link
-- is read after the lock is held, so two concurrent appends never share a prev_hash. The trigger
-- runs as the inserting role: it sees only the bound workspace's rows (or all, on the platform
-- path), which is all it needs.
create or replace function atrium_audit_events_append() returns trigger
language plpgsql as $$
declare
  last_seq bigint;
  last_hash text;
begin
  perform pg_advisory_xact_lock(7215004, hashtext(new.workspace_id::text));
  select e.seq, e.hash into last_seq, last_hash from audit_events e
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
  -- Taken after the lock: time order and seq order agree within a workspace. Milliseconds, so
  -- the value survives a round trip through a JavaScript Date.
  new.occurred_at := date_trunc('milliseconds', clock_timestamp());
  new.hash := atrium_audit_hash(new.prev_hash, new.workspace_id, new.id, new.seq, new.occurred_at,
    new.actor_type, new.actor_id, new.real_actor_id, new.action, new.target_type, new.target_id,
    new.diff, new.ip, new.user_agent, new.request_id, new.trace_id, new.outcome);
  return new;
end $$;

create trigger audit_events_append before insert on audit_events
  for each row execute function atrium_audit_events_append();

-- Append-only. The one exception is retention, on the platform path with the transaction-local
-- flag set by src/modules/audit/apply-retention.ts.
create or replace function atrium_audit_is_retention() returns boolean
language sql stable as $$
  select current_user = 'atrium_platform' and coalesce(current_setting('atrium.audit_retention', true), '') = 'on'
$$;

create or replace function atrium_audit_events_guard() returns trigger
language plpgsql as $$
begin
  if tg_op = 'DELETE' and atrium_audit_is_retention() then
    return old;
  end if;
  raise exception 'audit_events is append-only: % is not allowed', tg_op
    using errcode = 'insufficient_privilege';
end $$;

create trigger audit_events_no_update before update on audit_events
  for each row execute function atrium_audit_events_guard();
create trigger audit_events_no_delete before delete on audit_events
  for each row execute function atrium_audit_events_guard();
create trigger audit_events_no_truncate before truncate on audit_events
  for each statement execute function atrium_audit_events_guard();

-- Anchors move only forward, and only on the retention path.
create or replace function atrium_audit_anchors_guard() returns trigger
language plpgsql as $$
begin
  if not atrium_audit_is_retention() then
    raise exception 'audit_chain_anchors is written by the retention path only'
      using errcode = 'insufficient_privilege';
  end if;
  if tg_op = 'UPDATE' and new.anchor_seq < old.anchor_seq then
    raise exception 'an audit chain anchor cannot move backwards' using errcode = 'check_violation';
  end if;
  if tg_op = 'DELETE' then
    raise exception 'audit_chain_anchors rows are never deleted' using errcode = 'insufficient_privilege';
  end if;
  return new;
end $$;

create trigger audit_chain_anchors_guard before insert or update or delete on audit_chain_anchors
  for each row execute function atrium_audit_anchors_guard();

-- One event, from any path: bound to the event's workspace (tenant path), unbound (identity
-- path: global tables, the user's workspace is known to the use-case) or the platform path.
-- An unbound transaction is bound to the event's workspace for this one insert and unbound
-- again; a transaction bound to ANOTHER workspace is refused, so tenant code can't write into
-- someone else's chain. SECURITY INVOKER: RLS and grants of the caller apply.
create or replace function atrium_audit_append(
  p_id uuid, p_workspace_id uuid, p_actor_type text, p_actor_id uuid, p_real_actor_id uuid, p_action text,
  p_target_type text, p_target_id text, p_diff jsonb, p_ip text, p_user_agent text,
  p_request_id text, p_trace_id text, p_outcome text
) returns table (event_id uuid, event_seq bigint)
language plpgsql volatile as $$
declare
  bound uuid := atrium_current_workspace();
  new_id uuid;
  new_seq bigint;
begin
  if bound is not null and bound <> p_workspace_id then
    raise exception 'audit: the transaction is bound to another workspace' using errcode = 'insufficient_privilege';
  end if;
  if bound is null then
    perform set_config('app.workspace_id', p_workspace_id::text, true);
  end if;
  insert into audit_events (id, workspace_id, actor_type, actor_id, real_actor_id, action, target_type,
    target_id, diff, ip, user_agent, request_id, trace_id, outcome)
  values (coalesce(p_id, atrium_uuidv7()), p_workspace_id, p_actor_type, p_actor_id, p_real_actor_id, p_action, p_target_type,
    p_target_id, p_diff, p_ip, p_user_agent, p_request_id, p_trace_id, coalesce(p_outcome, 'success'))
  returning audit_events.id, audit_events.seq into new_id, new_seq;
  if bound is null then
    perform set_config('app.workspace_id', '', true);
  end if;
  return query select new_id, new_seq;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Grants: the request role inserts and reads events (no update, no delete) and reads anchors.
-- The platform role also deletes (retention, guarded by the trigger) and writes anchors.
grant select, insert on audit_events to atrium_app;
grant select, insert, delete on audit_events to atrium_platform;
grant select on audit_chain_anchors to atrium_app;
grant select, insert, update on audit_chain_anchors to atrium_platform;
revoke all on function atrium_audit_append(uuid, uuid, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text) from public;
grant execute on function atrium_audit_append(uuid, uuid, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text),
  atrium_audit_hash(text, uuid, uuid, bigint, timestamptz, text, uuid, uuid, text, text, text, jsonb, text, text, text, text, text),
  atrium_audit_field(text), atrium_audit_is_retention()
  to atrium_app, atrium_platform;
