-- Data API (issue 14, brief 003): every workspace gets a PostgreSQL schema of its own for its own
-- tables, owned by a role of its own (NOLOGIN, no rights outside that schema). Requests reach it
-- through the tenant transaction: atrium_app switches to the workspace's role and search_path
-- with set_config(..., true), both transaction-local (PgBouncer's transaction mode stays possible).
-- atrium_app is NOINHERIT: a member of every data role, it can switch to one but never holds its
-- rights otherwise, so platform requests cannot see tenant data and data requests cannot see the
-- platform's tables (the data role has no grant on them).
--
-- Names derive from the workspace id (schema ws_<32 hex>, role atrium_ws_<32 hex>): a request
-- needs no lookup to find its schema, and no workspace-chosen name ever reaches an identifier.
create table data_schemas (
  workspace_id  uuid not null primary key references workspaces (id),
  schema_name   text not null unique check (schema_name ~ '^ws_[0-9a-f]{32}$'),
  role_name     text not null unique check (role_name ~ '^atrium_ws_[0-9a-f]{32}$'),
  -- Bumped by every migration: API processes compare it with the shape they hold.
  version       int not null default 0 check (version >= 0),
  -- The hash of the GraphQL shape at shape_version (written by migrations): a process that holds
  -- that shape serves the workspace without reading its catalog.
  shape_hash    text check (shape_hash ~ '^[0-9a-f]{64}$'),
  shape_version int,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);

-- Every migration applied to a workspace's data schema, in order (the table editor, the API and
-- the CLI's SQL files all end here): what was asked, the SQL that ran, who ran it.
create table data_migrations (
  workspace_id  uuid not null references workspaces (id),
  version       int not null check (version > 0),
  name          text not null check (length(name) between 1 and 200),
  operations    jsonb not null check (jsonb_typeof(operations) = 'array'),
  statements    text not null check (length(statements) <= 1000000),
  checksum      text not null check (checksum ~ '^[0-9a-f]{64}$'),
  applied_by    uuid,
  applied_at    timestamptz not null default now(),
  primary key (workspace_id, version)
);

alter table data_schemas enable row level security;
alter table data_schemas force row level security;
create policy tenant_isolation on data_schemas
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on data_schemas to atrium_platform using (true) with check (true);
grant select, update on data_schemas to atrium_app;
grant select, insert, update, delete on data_schemas to atrium_platform;

alter table data_migrations enable row level security;
alter table data_migrations force row level security;
create policy tenant_isolation on data_migrations
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on data_migrations to atrium_platform using (true) with check (true);
grant select, insert on data_migrations to atrium_app;
grant select, insert, update, delete on data_migrations to atrium_platform;

-- Creating a role and a schema needs rights atrium_app must not hold; this function (owned by the
-- migration owner) does it for the workspace the transaction is bound to, and only for it. It is
-- transactional: a signup that fails leaves no role and no schema behind.
create or replace function atrium_provision_data_schema() returns table (schema_name text, role_name text)
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  ws uuid := atrium_current_workspace();
  hex text;
  s text;
  r text;
begin
  if ws is null then
    raise exception 'atrium_provision_data_schema: no workspace bound' using errcode = '42501';
  end if;
  hex := replace(ws::text, '-', '');
  s := 'ws_' || hex;
  r := 'atrium_ws_' || hex;
  if not exists (select 1 from pg_roles where rolname = r) then
    execute format('create role %I nologin nosuperuser nocreatedb nocreaterole noinherit nobypassrls', r);
  end if;
  -- atrium_app may switch to the role (SET), never inherits it (NOINHERIT login).
  execute format('grant %I to atrium_app', r);
  execute format('create schema if not exists %I authorization %I', s, r);
  execute format('revoke all on schema %I from public', s);
  insert into data_schemas (workspace_id, schema_name, role_name) values (ws, s, r)
    on conflict (workspace_id) do nothing;
  return query select s, r;
end $$;
revoke all on function atrium_provision_data_schema() from public;
grant execute on function atrium_provision_data_schema() to atrium_app;

-- Dropping a workspace's data (its schema and role): the platform path only (a workspace purged
-- after its grace period).
create or replace function atrium_drop_data_schema(p_workspace_id uuid) returns void
language plpgsql volatile security definer set search_path = public, pg_temp as $$
declare
  hex text := replace(p_workspace_id::text, '-', '');
begin
  execute format('drop schema if exists %I cascade', 'ws_' || hex);
  if exists (select 1 from pg_roles where rolname = 'atrium_ws_' || hex) then
    execute format('drop owned by %I cascade', 'atrium_ws_' || hex);
    execute format('drop role %I', 'atrium_ws_' || hex);
  end if;
  delete from data_schemas where workspace_id = p_workspace_id;
end $$;
revoke all on function atrium_drop_data_schema(uuid) from public;
grant execute on function atrium_drop_data_schema(uuid) to atrium_platform;
