-- Custom roles and conditional permissions (governance issue; docs/adr/0009-custom-roles.md).
--
--  * Built-in roles (owner, admin, member, viewer) stay in code (src/modules/access/permissions.ts);
--    a membership's `role` remains its base role. Custom roles are rows here and only ADD
--    permissions to the base role (no deny rules), so the last owner is never locked out.
--  * role_permissions: one row per (role, permission); `conditions` (jsonb, null = none) restricts
--    the grant to resources matching it, e.g. {"createdBy": "${user.id}"}. The permission names
--    and the allowed condition fields are validated by the application against the registry.
--  * membership_roles: the custom roles a member holds (several); removed with the membership.
--  * role_versions: a per-workspace counter bumped by any change of the three tables above; it
--    keys the permission cache (src/modules/access/access-resolver.ts).

create table roles (
  workspace_id uuid not null references workspaces (id),
  id           uuid not null default atrium_uuidv7(),
  name         text not null check (length(name) between 1 and 60 and name = btrim(name)
                                    and lower(name) not in ('owner', 'admin', 'member', 'viewer')),
  description  text not null default '' check (length(description) <= 500),
  created_by   uuid references users (id),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (workspace_id, id)
);
create unique index roles_name_key on roles (workspace_id, lower(name));
create trigger roles_touch before update on roles
  for each row execute function atrium_touch_updated_at();

create table role_permissions (
  workspace_id uuid not null,
  role_id      uuid not null,
  permission   text collate "C" not null check (permission ~ '^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$'),
  conditions   jsonb check (conditions is null or jsonb_typeof(conditions) = 'object'),
  primary key (workspace_id, role_id, permission),
  foreign key (workspace_id, role_id) references roles (workspace_id, id) on delete cascade
);

create table membership_roles (
  workspace_id uuid not null,
  user_id      uuid not null,
  role_id      uuid not null,
  assigned_by  uuid references users (id),
  created_at   timestamptz not null default now(),
  primary key (workspace_id, user_id, role_id),
  foreign key (workspace_id, user_id) references memberships (workspace_id, user_id) on delete cascade,
  foreign key (workspace_id, role_id) references roles (workspace_id, id) on delete cascade
);
-- Members holding a role (role detail, member counts, deletion).
create index membership_roles_role_idx on membership_roles (workspace_id, role_id);

create table role_versions (
  workspace_id uuid not null references workspaces (id),
  version      bigint not null default 0,
  primary key (workspace_id)
);

do $$
declare t text;
begin
  foreach t in array array['roles', 'role_permissions', 'membership_roles', 'role_versions'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- Any change to roles, their permissions or their assignments bumps the workspace's version
-- (in the changing transaction, so the bump commits with the change). Runs as the caller: the
-- row's workspace is the bound one, which RLS checks on role_versions too.
create or replace function atrium_bump_roles_version() returns trigger
language plpgsql as $$
declare ws uuid := case when tg_op = 'DELETE' then old.workspace_id else new.workspace_id end;
begin
  insert into role_versions (workspace_id, version) values (ws, 1)
  on conflict (workspace_id) do update set version = role_versions.version + 1;
  return null;
end $$;

create trigger roles_bump_version after insert or update or delete on roles
  for each row execute function atrium_bump_roles_version();
create trigger role_permissions_bump_version after insert or update or delete on role_permissions
  for each row execute function atrium_bump_roles_version();
create trigger membership_roles_bump_version after insert or update or delete on membership_roles
  for each row execute function atrium_bump_roles_version();

grant select, insert, update, delete on roles, role_permissions, membership_roles to atrium_app, atrium_platform;
grant select, insert, update on role_versions to atrium_app, atrium_platform;
grant execute on function atrium_bump_roles_version() to atrium_app, atrium_platform;
