-- Rate limits: one counter row per bucket (a workspace, or one of its API keys), shared by every
-- API process. A process leases a small batch of tokens from the row with one atomic
-- INSERT … ON CONFLICT DO UPDATE … RETURNING and spends them locally; `granted` never exceeds
-- `per_minute` within a window, so the processes together never admit more than the limit
-- (docs/adr/0008-rate-limits.md).
--
-- The row is updated in place (one row per bucket, not one per window): no clean-up job, and
-- updates stay HOT because no indexed column changes (hence the fill factor).

create table rate_limit_buckets (
  workspace_id uuid not null references workspaces (id),
  -- The workspace's own id for its bucket (user sessions), or an API key's id.
  subject_id   uuid not null,
  kind         text not null check (kind in ('workspace', 'api_key')),
  -- The window is anchored at the first request after the previous one ended (database clock).
  window_start timestamptz not null,
  -- The limit in force at the last lease (setting or plan), for the RateLimit-Limit header.
  per_minute   int not null check (per_minute > 0),
  -- Tokens handed out to processes in this window; never more than per_minute.
  granted      int not null check (granted >= 0),
  -- Size of the last lease, returned to the process that took it.
  last_lease   int not null check (last_lease >= 0),
  primary key (workspace_id, subject_id),
  check (kind = 'api_key' or subject_id = workspace_id)
) with (fillfactor = 70);

alter table rate_limit_buckets enable row level security;
alter table rate_limit_buckets force row level security;
create policy tenant_isolation on rate_limit_buckets
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on rate_limit_buckets to atrium_platform using (true) with check (true);

grant select, insert, update on rate_limit_buckets to atrium_app, atrium_platform;
grant delete on rate_limit_buckets to atrium_platform;
