-- Custom roles for API keys (governance issue): a key holds its built-in role plus any custom
-- roles of its workspace, as a member does (membership_roles, migration 0007). An integration can
-- then get exactly what it needs — "viewer + may run workflows", "may read the audit trail" —
-- rather than a whole built-in role. Changes bump role_versions like every other role change, so
-- the access cache never serves a key its old permissions for longer than a member's (2 s).

create table api_key_roles (
  workspace_id uuid not null,
  api_key_id   uuid not null,
  role_id      uuid not null,
  assigned_by  uuid references users (id),
  created_at   timestamptz not null default now(),
  primary key (workspace_id, api_key_id, role_id),
  foreign key (workspace_id, api_key_id) references api_keys (workspace_id, id) on delete cascade,
  foreign key (workspace_id, role_id) references roles (workspace_id, id) on delete cascade
);
-- Keys holding a role (role detail counts, deletion).
create index api_key_roles_role_idx on api_key_roles (workspace_id, role_id);

alter table api_key_roles enable row level security;
alter table api_key_roles force row level security;
create policy tenant_isolation on api_key_roles
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on api_key_roles to atrium_platform using (true) with check (true);

create trigger api_key_roles_bump_version after insert or update or delete on api_key_roles
  for each row execute function atrium_bump_roles_version();

grant select, insert, update, delete on api_key_roles to atrium_app, atrium_platform;

-- What other modules read (identity lists keys with their roles in one statement): each key's
-- custom role ids, through this view rather than the table. A view, not a function: the planner
-- inlines it, so a correlated lookup per listed key is an index probe, not a function call.
-- security_invoker: the caller's RLS applies.
create view api_key_role_sets with (security_invoker = true) as
  select workspace_id, api_key_id, array_agg(role_id::text order by role_id) as role_ids
    from api_key_roles group by workspace_id, api_key_id;
grant select on api_key_role_sets to atrium_app, atrium_platform;
