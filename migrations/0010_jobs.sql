-- The job engine (src/kernel/jobs; docs/adr/0010-job-engine.md): one durable queue in
-- PostgreSQL for everything asynchronous.
--
--  * `jobs` is the hot table: only live jobs (pending, blocked behind an ordering key, running)
--    and dead letters. A completed or cancelled job is deleted at once, so the table stays small
--    whatever the history; what a job did is recorded by the module that owns the work
--    (workflow executions, webhook deliveries…).
--  * Fair sharing: each (queue, workspace) pair is a lane (`job_lanes`). A claim takes the least
--    recently served lanes first and interleaves their heads, so a workspace with a 100k backlog
--    holds one lane, not the whole queue. Platform jobs (no workspace) share the nil-uuid lane.
--  * Ordering keys: at most one live, unblocked job per key; later ones wait as 'blocked' and the
--    end of the head promotes the next. Enqueue and end serialise per key on an advisory lock.
--  * Leases: a running job belongs to `locked_by` until `lease_until`; heartbeats extend it; a
--    sweep returns expired jobs to pending. A completion names the attempt it ran, so a worker
--    whose lease expired (and whose job was claimed again) can't complete it.

create table job_lanes (
  queue        text not null,
  lane         uuid not null,
  workspace_id uuid references workspaces (id),
  -- Claims order lanes by this: the one served longest ago goes first.
  served_at    timestamptz not null default '-infinity',
  created_at   timestamptz not null default now(),
  primary key (queue, lane),
  check (lane = coalesce(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid))
) with (fillfactor = 70);
create index job_lanes_served_idx on job_lanes (queue, served_at);
create index job_lanes_workspace_idx on job_lanes (workspace_id);

create table jobs (
  id              uuid primary key default atrium_uuidv7(),
  -- Null for platform jobs (retention, pruning); tenants see only their own workspace's jobs.
  workspace_id    uuid references workspaces (id),
  lane            uuid not null generated always as (coalesce(workspace_id, '00000000-0000-0000-0000-000000000000'::uuid)) stored,
  queue           text not null check (queue ~ '^[a-z][a-z0-9_.:-]{0,99}$'),
  payload         jsonb not null default '{}',
  -- Who caused the job ({type, id, realActorId}); the handler rebuilds its audit context from it.
  actor           jsonb,
  status          text not null default 'pending' check (status in ('pending', 'blocked', 'running', 'dead')),
  priority        int not null default 0,
  run_at          timestamptz not null default now(),
  attempts        int not null default 0 check (attempts >= 0),
  max_attempts    int not null default 5 check (max_attempts between 1 and 100),
  timeout_ms      int check (timeout_ms > 0),
  ordering_key    text check (length(ordering_key) <= 200),
  idempotency_key text check (length(idempotency_key) <= 200),
  locked_by       text,
  lease_until     timestamptz,
  cancel_requested boolean not null default false,
  last_error      jsonb,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  foreign key (queue, lane) references job_lanes (queue, lane),
  check ((status = 'running') = (locked_by is not null and lease_until is not null))
) with (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.02, autovacuum_vacuum_insert_scale_factor = 0.05);

-- The claim: pending heads of one lane in priority order (also serves the lanes' foreign key).
create index jobs_claim_idx on jobs (queue, lane, status, priority desc, run_at, id);
-- The sweep of expired leases.
create index jobs_running_idx on jobs (lease_until) where status = 'running';
-- Ordering keys: the next blocked job of a key, and whether a key has a live job.
-- Keys are scoped to the lane (a workspace's key never blocks another workspace's jobs).
create index jobs_ordering_idx on jobs (lane, ordering_key, id) where ordering_key is not null;
-- Deduplication while a job is live (a completed job's key may be used again).
create unique index jobs_idempotency_key on jobs (queue, idempotency_key) where idempotency_key is not null;
-- Dead letters, newest first (admin listing, pruning).
create index jobs_dead_idx on jobs (updated_at) where status = 'dead';
create index jobs_workspace_idx on jobs (workspace_id, id);

-- Cron schedules. One row per schedule; whichever worker locks a due row fires it and moves
-- next_run_at, in one transaction with the job it enqueues: each tick fires once, however many
-- workers run.
create table job_schedules (
  name         text primary key check (name ~ '^[a-z0-9][a-z0-9_.:/-]{0,199}$'),
  workspace_id uuid references workspaces (id),
  cron         text not null,
  timezone     text not null default 'UTC',
  queue        text not null,
  payload      jsonb not null default '{}',
  next_run_at  timestamptz not null,
  last_run_at  timestamptz,
  is_enabled   boolean not null default true,
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now()
);
create index job_schedules_due_idx on job_schedules (next_run_at) where is_enabled;
create index job_schedules_workspace_idx on job_schedules (workspace_id);

-- Tenant transactions enqueue, cancel and schedule their own workspace's jobs; the engine works
-- on the platform path.
do $$
declare t text;
begin
  foreach t in array array['job_lanes', 'jobs', 'job_schedules'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

grant select, insert on job_lanes to atrium_app;
grant select, insert, update, delete on job_lanes to atrium_platform;
grant select, insert, update, delete on jobs to atrium_app, atrium_platform;
grant select, insert, update, delete on job_schedules to atrium_app, atrium_platform;
