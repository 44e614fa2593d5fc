-- Foundation: helpers, workspaces, identity, memberships, invitations, API keys, outbox.
--
-- Conventions (ARCHITECTURE §3):
--  * a tenant table has workspace_id in its primary key and in every foreign key to another
--    tenant table, RLS enabled and forced, the policy `tenant_isolation` on the bound setting,
--    and the policy `platform_access` for the atrium_platform role (the one cross-workspace path);
--  * global identity tables (users, sessions, refresh tokens, login attempts) carry no
--    workspace and are reached by the request role only through the identity module.
-- Roles atrium_app (requests) and atrium_platform (platform admin path) are created by the
-- migrator before this file runs (src/kernel/db/roles.ts).

create or replace function atrium_uuidv7() returns uuid
language plpgsql volatile parallel safe as $$
declare
  ts bigint := floor(extract(epoch from clock_timestamp()) * 1000);
  b bytea := gen_random_bytes_v7();
begin
  return encode(set_byte(set_byte(set_byte(set_byte(set_byte(set_byte(b,
    0, ((ts >> 40) & 255)::int), 1, ((ts >> 32) & 255)::int), 2, ((ts >> 24) & 255)::int),
    3, ((ts >> 16) & 255)::int), 4, ((ts >> 8) & 255)::int), 5, (ts & 255)::int), 'hex')::uuid;
end $$;

-- 16 random bytes with the version (7) and variant (10xx) bits set; uuid_send of a v4 gives
-- the randomness without needing pgcrypto.
create or replace function gen_random_bytes_v7() returns bytea
language sql volatile parallel safe as $$
  select set_byte(set_byte(uuid_send(gen_random_uuid()), 6,
           (get_byte(uuid_send(gen_random_uuid()), 6) & 15) | 112), 8,
           (get_byte(uuid_send(gen_random_uuid()), 8) & 63) | 128)
$$;

-- The bound workspace, or null. STABLE so `(select atrium_current_workspace())` is an initplan
-- evaluated once per statement.
create or replace function atrium_current_workspace() returns uuid
language sql stable parallel safe as $$
  select nullif(current_setting('app.workspace_id', true), '')::uuid
$$;

create or replace function atrium_touch_updated_at() returns trigger
language plpgsql as $$
begin
  new.updated_at := now();
  return new;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Workspaces. The row's own id is its tenant key.
create table workspaces (
  id          uuid primary key default atrium_uuidv7(),
  slug        text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$'),
  name        text not null check (length(name) between 1 and 200),
  plan        text not null default 'free' check (plan in ('free', 'pro', 'enterprise')),
  status      text not null default 'active' check (status in ('active', 'suspended', 'deleted')),
  parent_id   uuid references workspaces (id),
  kind        text not null default 'organization' check (kind in ('organization', 'project', 'team')),
  created_at  timestamptz not null default now(),
  updated_at  timestamptz not null default now(),
  deleted_at  timestamptz,
  check (parent_id is null or parent_id <> id)
);
create index workspaces_parent_idx on workspaces (parent_id) where parent_id is not null;
create index workspaces_status_created_idx on workspaces (status, created_at desc, id desc);
create trigger workspaces_touch before update on workspaces
  for each row execute function atrium_touch_updated_at();
alter table workspaces enable row level security;
alter table workspaces force row level security;
create policy tenant_isolation on workspaces
  using (id = (select atrium_current_workspace()))
  with check (id = (select atrium_current_workspace()));
create policy platform_access on workspaces to atrium_platform using (true) with check (true);

-- Typed key/value settings that later modules extend with their own keys.
create table workspace_settings (
  workspace_id uuid not null references workspaces (id),
  key          text not null check (key ~ '^[a-z][a-z0-9_.]{0,99}$'),
  value        jsonb not null,
  updated_at   timestamptz not null default now(),
  primary key (workspace_id, key)
);

-- ---------------------------------------------------------------------------------------------
-- Identity (global).
create table users (
  id                  uuid primary key default atrium_uuidv7(),
  email               text not null,
  name                text not null default '',
  password_hash       text,
  is_platform_admin   boolean not null default false,
  totp_secret         text,
  totp_enabled_at     timestamptz,
  totp_last_step      bigint,
  recovery_codes      text[] not null default '{}',
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));
create trigger users_touch before update on users
  for each row execute function atrium_touch_updated_at();

-- A session is one login (a device). Refresh tokens rotate inside it; reuse of a rotated token
-- revokes the session (the whole family).
create table sessions (
  id            uuid primary key default atrium_uuidv7(),
  user_id       uuid not null references users (id),
  workspace_id  uuid not null references workspaces (id),
  user_agent    text,
  ip            text,
  created_at    timestamptz not null default now(),
  last_used_at  timestamptz not null default now(),
  expires_at    timestamptz not null,
  revoked_at    timestamptz,
  revoked_reason text
);
create index sessions_user_idx on sessions (user_id, created_at desc);
create index sessions_workspace_idx on sessions (workspace_id) where revoked_at is null;

create table refresh_tokens (
  token_hash   text primary key,
  session_id   uuid not null references sessions (id),
  created_at   timestamptz not null default now(),
  used_at      timestamptz
);
create index refresh_tokens_session_idx on refresh_tokens (session_id);

-- Failed logins per (email, ip) window, shared by every API process.
create table login_attempts (
  email        text not null,
  ip           text not null,
  failures     int not null default 0,
  first_failed_at timestamptz not null default now(),
  locked_until timestamptz,
  primary key (email, ip)
);

-- Pending second factor after a correct password: the client answers with the code.
create table mfa_challenges (
  id          uuid primary key default atrium_uuidv7(),
  user_id     uuid not null references users (id),
  workspace_id uuid references workspaces (id),
  token_hash  text not null unique,
  expires_at  timestamptz not null,
  used_at     timestamptz
);

-- ---------------------------------------------------------------------------------------------
-- Tenant tables.
create table memberships (
  workspace_id uuid not null references workspaces (id),
  user_id      uuid not null references users (id),
  role         text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index memberships_user_idx on memberships (user_id);
create trigger memberships_touch before update on memberships
  for each row execute function atrium_touch_updated_at();

create table invitations (
  workspace_id uuid not null references workspaces (id),
  id           uuid not null default atrium_uuidv7(),
  email        text not null,
  role         text not null check (role in ('admin', 'member', 'viewer')),
  token_hash   text not null unique,
  invited_by   uuid references users (id),
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  accepted_at  timestamptz,
  accepted_by  uuid references users (id),
  revoked_at   timestamptz,
  primary key (workspace_id, id)
);
create unique index invitations_pending_email_key on invitations (workspace_id, lower(email))
  where accepted_at is null and revoked_at is null;

create table api_keys (
  workspace_id uuid not null references workspaces (id),
  id           uuid not null default atrium_uuidv7(),
  name         text not null check (length(name) between 1 and 100),
  prefix       text not null unique,
  key_hash     text not null,
  role         text not null check (role in ('admin', 'member', 'viewer')),
  created_by   uuid references users (id),
  created_at   timestamptz not null default now(),
  last_used_at timestamptz,
  expires_at   timestamptz,
  revoked_at   timestamptz,
  primary key (workspace_id, id)
);

-- Outbox: mails are rows; a worker delivers them over SMTP when SMTP_URL is set.
create table outbox_messages (
  workspace_id uuid not null references workspaces (id),
  id           uuid not null default atrium_uuidv7(),
  to_address   text not null,
  subject      text not null,
  text_body    text not null,
  html_body    text,
  kind         text not null default 'generic',
  status       text not null default 'pending' check (status in ('pending', 'sent', 'failed', 'stored')),
  attempts     int not null default 0,
  last_error   text,
  created_at   timestamptz not null default now(),
  sent_at      timestamptz,
  primary key (workspace_id, id)
);
create index outbox_messages_pending_idx on outbox_messages (created_at) where status = 'pending';

-- RLS on every tenant table (workspace_settings, memberships, invitations, api_keys, outbox).
do $$
declare t text;
begin
  foreach t in array array['workspace_settings', 'memberships', 'invitations', 'api_keys', 'outbox_messages'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- ---------------------------------------------------------------------------------------------
-- Narrow cross-workspace lookups the request role needs before (or beside) a workspace binding.
-- SECURITY DEFINER, owned by the migration owner, each answering one question about one
-- principal; nothing else crosses workspaces from request code.

-- The workspaces a user belongs to (for /auth/me, login and switch).
create or replace function atrium_user_memberships(p_user_id uuid)
returns table (workspace_id uuid, slug text, name text, status text, role text, parent_id uuid)
language sql stable security definer set search_path = public, pg_temp as $$
  select w.id, w.slug, w.name, w.status, m.role, w.parent_id
  from memberships m join workspaces w on w.id = m.workspace_id
  where m.user_id = p_user_id and w.status <> 'deleted'
  order by w.created_at, w.id
$$;

-- An API key by its public prefix (authentication).
create or replace function atrium_find_api_key(p_prefix text)
returns table (workspace_id uuid, id uuid, key_hash text, role text, expires_at timestamptz,
               revoked_at timestamptz, workspace_status text)
language sql stable security definer set search_path = public, pg_temp as $$
  select k.workspace_id, k.id, k.key_hash, k.role, k.expires_at, k.revoked_at, w.status
  from api_keys k join workspaces w on w.id = k.workspace_id
  where k.prefix = p_prefix
$$;

-- An invitation by the hash of its token (acceptance, before the user is a member).
create or replace function atrium_find_invitation(p_token_hash text)
returns table (workspace_id uuid, id uuid, email text, role text, expires_at timestamptz,
               accepted_at timestamptz, revoked_at timestamptz, workspace_name text, workspace_status text)
language sql stable security definer set search_path = public, pg_temp as $$
  select i.workspace_id, i.id, i.email, i.role, i.expires_at, i.accepted_at, i.revoked_at, w.name, w.status
  from invitations i join workspaces w on w.id = i.workspace_id
  where i.token_hash = p_token_hash
$$;

-- Is a slug taken (onboarding picks a free one)?
create or replace function atrium_slug_taken(p_slug text) returns boolean
language sql stable security definer set search_path = public, pg_temp as $$
  select exists (select 1 from workspaces where slug = p_slug)
$$;

revoke all on function atrium_user_memberships(uuid), atrium_find_api_key(text),
  atrium_find_invitation(text), atrium_slug_taken(text) from public;
grant execute on function atrium_user_memberships(uuid), atrium_find_api_key(text),
  atrium_find_invitation(text), atrium_slug_taken(text) to atrium_app, atrium_platform;

-- ---------------------------------------------------------------------------------------------
-- Grants: the request role reads and writes rows, owns nothing, and cannot alter the schema.
grant usage on schema public to atrium_app, atrium_platform;
grant select, insert, update on workspaces, workspace_settings, memberships, invitations,
  api_keys, outbox_messages, users, sessions, refresh_tokens, login_attempts, mfa_challenges
  to atrium_app, atrium_platform;
grant delete on workspace_settings, memberships, login_attempts, mfa_challenges
  to atrium_app, atrium_platform;
grant execute on function atrium_uuidv7(), gen_random_bytes_v7(), atrium_current_workspace()
  to atrium_app, atrium_platform;

-- Per-request state of a session (authentication): is it live, is its workspace active, and
-- what is the user's role there now. Lets a revoked session, a suspended workspace or a
-- changed role take effect before the access token expires.
create or replace function atrium_session_state(p_session_id uuid, p_workspace_id uuid)
returns table (is_active boolean, workspace_status text, role text, is_platform_admin boolean)
language sql stable security definer set search_path = public, pg_temp as $$
  select (s.revoked_at is null and s.expires_at > now()), w.status, m.role, u.is_platform_admin
  from sessions s
  join users u on u.id = s.user_id
  left join workspaces w on w.id = p_workspace_id
  left join memberships m on m.workspace_id = p_workspace_id and m.user_id = s.user_id
  where s.id = p_session_id
$$;
revoke all on function atrium_session_state(uuid, uuid) from public;
grant execute on function atrium_session_state(uuid, uuid) to atrium_app;
