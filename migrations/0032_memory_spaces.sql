-- A workspace's memory space (issue 13, brief 000 S8.1): where its long-term memory lives.
-- Provisioned at signup (a step of onboarding; existing workspaces get one here): the built-in
-- provider (PostgreSQL, the memories table) with a project id of its own; or, configured by an
-- admin, an external provider speaking Mem0's REST API, in a project created through that API
-- for the workspace (its id kept here, its access key in the workspace's vault, named here).
create table memory_spaces (
  workspace_id  uuid not null primary key references workspaces (id),
  provider      text not null default 'builtin' check (provider in ('builtin', 'mem0')),
  project_id    text not null check (length(project_id) between 1 and 200),
  base_url      text check (length(base_url) between 8 and 2048),
  org_id        text check (length(org_id) between 1 and 200),
  secret_name   text check (length(secret_name) between 1 and 200),
  status        text not null default 'connected' check (status in ('connected', 'disconnected')),
  last_error    text check (length(last_error) <= 2000),
  checked_at    timestamptz not null default now(),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  check ((provider = 'mem0') = (base_url is not null and org_id is not null and secret_name is not null))
);

insert into memory_spaces (workspace_id, project_id)
  select id, 'mem_' || substr(md5(id::text || random()::text), 1, 20) from workspaces;

alter table memory_spaces enable row level security;
alter table memory_spaces force row level security;
create policy tenant_isolation on memory_spaces
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on memory_spaces to atrium_platform using (true) with check (true);
grant select, insert, update, delete on memory_spaces to atrium_app, atrium_platform;
