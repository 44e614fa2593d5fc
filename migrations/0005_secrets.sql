-- Secrets vault: envelope encryption (AES-256-GCM). Each workspace has data keys, versioned; each
-- is stored wrapped by a master key that never reaches the database (only its fingerprint,
-- master_key_id). Secret values are sealed with the workspace's data key; the additional data
-- binds a ciphertext to its workspace, name and key version, so a value copied onto another row
-- does not decrypt. Values are write-only through the API.

create table secret_data_keys (
  workspace_id  uuid not null references workspaces (id),
  version       int not null check (version >= 1),
  master_key_id text not null check (master_key_id ~ '^[0-9a-f]{16}$'),
  wrapped_key   bytea not null,
  iv            bytea not null check (length(iv) = 12),
  auth_tag      bytea not null check (length(auth_tag) = 16),
  created_at    timestamptz not null default now(),
  rewrapped_at  timestamptz,
  primary key (workspace_id, version)
);
-- Rotation looks for data keys not yet under the new master key.
create index secret_data_keys_master_idx on secret_data_keys (master_key_id, workspace_id);

create table secrets (
  workspace_id uuid not null references workspaces (id),
  id           uuid not null default atrium_uuidv7(),
  name         text not null check (name ~ '^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$'),
  description  text not null default '' check (length(description) <= 500),
  ciphertext   bytea not null,
  iv           bytea not null check (length(iv) = 12),
  auth_tag     bytea not null check (length(auth_tag) = 16),
  key_version  int not null,
  created_by   uuid references users (id),
  updated_by   uuid references users (id),
  created_at   timestamptz not null default now(),
  updated_at   timestamptz not null default now(),
  last_used_at timestamptz,
  primary key (workspace_id, id),
  -- An old data key can't be deleted while a value still uses it.
  foreign key (workspace_id, key_version) references secret_data_keys (workspace_id, version)
);
create unique index secrets_name_key on secrets (workspace_id, name);
create index secrets_key_version_idx on secrets (workspace_id, key_version);

do $$
declare t text;
begin
  foreach t in array array['secret_data_keys', 'secrets'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- Requests create a workspace's first data key and delete versions nothing uses any more;
-- only the platform path (`atrium keys rotate`) re-wraps data keys.
grant select, insert, delete on secret_data_keys to atrium_app;
grant select, insert, update, delete on secret_data_keys to atrium_platform;
grant select, insert, update, delete on secrets to atrium_app, atrium_platform;
