-- API logs and health samples (issue 4, "Admin dashboards and API logs").
--
--  * api_logs: one row per API request, written in batches on the platform path by an in-memory
--    buffer (src/modules/apilogs). Requests with a principal carry its workspace; requests
--    without one (login, signup, public routes) and the platform admin's own routes have a null
--    workspace_id, as jobs do (0010): the tenant policy never matches null, so only the platform
--    path sees them. The primary key is the id alone for that reason (workspace_id is nullable).
--    Bodies are stored only for errors (status >= 400), redacted before they leave the process.
--  * health_samples: one row per minute (unique minute, whichever worker fires the tick), from
--    which uptime is computed (src/modules/admin/compute-uptime.ts). Platform data: no tenant
--    may read it.

create table api_logs (
  id             uuid primary key,
  workspace_id   uuid references workspaces (id),
  created_at     timestamptz not null,
  method         text not null check (method ~ '^[A-Z]{3,10}$'),
  -- The route pattern (`/api/v1/secrets/:name`), never the raw URL, except for unmatched
  -- paths, which keep their path (without the query string).
  endpoint       text not null check (length(endpoint) <= 300),
  status         smallint not null check (status between 100 and 599),
  duration_ms    real not null check (duration_ms >= 0),
  error_code     text check (length(error_code) <= 100),
  request_id     text check (length(request_id) <= 200),
  actor_type     text check (actor_type in ('user', 'api_key')),
  actor_id       uuid,
  ip             text check (length(ip) <= 100),
  request_body   jsonb,
  response_body  jsonb,
  check (status >= 400 or (request_body is null and response_body is null))
) with (autovacuum_vacuum_insert_scale_factor = 0.05);

-- Tenant listing (newest first, keyset on (created_at, id)), retention per workspace and the
-- dashboard's "active workspaces" probe (one index probe per workspace).
create index api_logs_workspace_time_idx on api_logs (workspace_id, created_at desc, id desc);
-- The platform's time ranges (dashboard counts, hourly series): rows arrive in time order.
create index api_logs_time_brin on api_logs using brin (created_at);
-- The admin error listing: server errors are rare, so this index stays tiny.
create index api_logs_server_errors_idx on api_logs (created_at desc, id desc) where status >= 500;

alter table api_logs enable row level security;
alter table api_logs force row level security;
create policy tenant_isolation on api_logs
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on api_logs to atrium_platform using (true) with check (true);
-- Tenants read their own rows; only the platform path writes and prunes.
grant select on api_logs to atrium_app;
grant select, insert, delete on api_logs to atrium_platform;

create table health_samples (
  minute          timestamptz primary key check (minute = date_trunc('minute', minute)),
  sampled_at      timestamptz not null default now(),
  is_db_ok        boolean not null,
  db_latency_ms   real,
  -- Due pending jobs over every queue, and the age of the oldest one (null: stats unavailable).
  queue_depth     integer,
  oldest_pending_seconds integer,
  details         jsonb
);

alter table health_samples enable row level security;
alter table health_samples force row level security;
create policy platform_access on health_samples to atrium_platform using (true) with check (true);
grant select, insert, delete on health_samples to atrium_platform;

-- The platform dashboard reads workflow_executions (0011) across workspaces by time. Two cheap
-- indexes for it: a BRIN on created_at (executions in 24 h, per hour, per workflow in a window;
-- next to nothing per insert) and a btree on finished executions by finish time (revenue this
-- month, failures in 24 h, the admin error listing), one entry per execution, added when it ends.
create index workflow_executions_created_brin on workflow_executions using brin (created_at);
create index workflow_executions_finished_idx on workflow_executions (finished_at desc, id desc)
  where finished_at is not null and status in ('completed', 'failed', 'timed_out');
