-- Workflow builds (issue 15): each deploy of a workflow version (and each rebuild) compiles it to
-- a TypeScript module committed on the workspace's branch of the installation's build repository
-- and tagged. The rows say what was built, when, by whom, where (commit, tag) and how it went; the
-- code itself lives in git. The branch is named once, at the workspace's first build (tenant/<slug>
-- as the slug was then): a slug changed later renames nothing already built.

create table workflow_build_branches (
  workspace_id uuid not null references workspaces (id),
  branch       text not null check (branch ~ '^tenant/[a-z0-9][a-z0-9-]{0,62}$'),
  folder       text not null check (folder ~ '^app/flows/[a-z0-9][a-z0-9-]{0,62}$'),
  created_at   timestamptz not null default now(),
  primary key (workspace_id),
  unique (branch)
);

create table workflow_builds (
  workspace_id uuid not null,
  id           uuid not null default atrium_uuidv7(),
  workflow_id  uuid not null,
  version_id   uuid not null,
  version      int not null check (version >= 1),
  reason       text not null check (reason in ('deploy', 'rebuild')),
  status       text not null default 'queued' check (status in ('queued', 'running', 'succeeded', 'failed')),
  commit_sha   text check (commit_sha ~ '^[0-9a-f]{40}$'),
  tag          text check (length(tag) <= 200),
  manifest     jsonb,
  error        jsonb,
  duration_ms  int check (duration_ms >= 0),
  requested_by uuid references users (id),
  created_at   timestamptz not null default now(),
  started_at   timestamptz,
  finished_at  timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, workflow_id) references workflows (workspace_id, id),
  foreign key (workspace_id, version_id) references workflow_versions (workspace_id, id)
);
create index workflow_builds_by_workflow_idx on workflow_builds (workspace_id, workflow_id, created_at desc);
create index workflow_builds_quota_idx on workflow_builds (workspace_id, created_at);

alter table workflow_build_branches enable row level security;
alter table workflow_build_branches force row level security;
create policy tenant_isolation on workflow_build_branches
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on workflow_build_branches to atrium_platform using (true) with check (true);
grant select, insert, update, delete on workflow_build_branches to atrium_app, atrium_platform;

alter table workflow_builds enable row level security;
alter table workflow_builds force row level security;
create policy tenant_isolation on workflow_builds
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on workflow_builds to atrium_platform using (true) with check (true);
grant select, insert, update, delete on workflow_builds to atrium_app, atrium_platform;
