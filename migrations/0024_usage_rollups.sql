-- Usage rollups (src/modules/usage): the analytics pages read these, not the raw events, so a
-- 90-day page over ten million events reads thousands of rows, not millions.
--
--  * usage_rollups: sums of usage events per workspace, bucket (an hour or a UTC day) and
--    dimension (API key, agent, provider, model, status, latency bucket). Exact sums: a page
--    built from rollups plus the raw events after the watermark equals the raw events.
--  * usage_rollup_watermark: the instant up to which hourly rollups are complete (one row).
--    Hours close two minutes after they end (a call settles in the hour it started).

create table usage_rollups (
  workspace_id     uuid not null references workspaces (id),
  granularity      text not null check (granularity in ('hour', 'day')),
  bucket           timestamptz not null,
  api_key_id       uuid,
  agent_id         uuid,
  provider_name    text,
  model            text not null,
  status           text not null,
  -- Index into the latency bucket bounds (src/modules/usage/latency-buckets.ts); -1: no latency.
  latency_bucket   smallint not null,
  calls            bigint not null,
  input_tokens     bigint not null,
  output_tokens    bigint not null,
  cost_micros      bigint not null,
  unpriced_calls   bigint not null,
  estimated_calls  bigint not null,
  error_calls      bigint not null
);
create unique index usage_rollups_key on usage_rollups (workspace_id, granularity, bucket, api_key_id, agent_id, provider_name, model, status, latency_bucket) nulls not distinct;

alter table usage_rollups enable row level security;
alter table usage_rollups force row level security;
create policy tenant_isolation on usage_rollups
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on usage_rollups to atrium_platform using (true) with check (true);
grant select on usage_rollups to atrium_app;
grant select, insert, update, delete on usage_rollups to atrium_platform;

create table usage_rollup_watermark (
  id          boolean primary key default true check (id),
  rolled_to   timestamptz not null
);
insert into usage_rollup_watermark (rolled_to) values (date_trunc('hour', now()));
grant select on usage_rollup_watermark to atrium_app;
grant select, insert, update on usage_rollup_watermark to atrium_platform;
