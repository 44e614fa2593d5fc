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

-- What other modules read (identity lists keys with their roles in one statement): a key's
-- custom role ids, through this function rather than the table. Runs as the caller (RLS applies).
create function atrium_api_key_role_ids(p_workspace_id uuid, p_api_key_id uuid) returns text[]
language sql stable as $$
  select coalesce(array_agg(role_id::text order by role_id), '{}') from api_key_roles
   where workspace_id = p_workspace_id and api_key_id = p_api_key_id
$$;
revoke all on function atrium_api_key_role_ids(uuid, uuid) from public;
grant execute on function atrium_api_key_role_ids(uuid, uuid) to atrium_app, atrium_platform;
