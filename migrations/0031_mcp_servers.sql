-- External MCP servers as tool sources (issue 13): a workspace adds a Model Context Protocol
-- server (Streamable HTTP) and its tools become tools of the registry, named
-- mcp.<server>.<tool>, that its agents, its assistant and workflows' tool steps may call. The
-- credential stays in the vault: a server names a secret (sent as a bearer token, or as the value
-- of the header it names). The tools the server announced are kept here (refreshed on demand), so
-- a run never waits for a listing and a server that is down shows as such.
create table mcp_servers (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  name          text not null check (name ~ '^[a-z][a-z0-9_]{0,23}$'),
  url           text not null check (length(url) between 8 and 2048),
  secret_name   text check (length(secret_name) between 1 and 200),
  -- 'authorization' sends "Bearer <secret>"; any other header sends the secret as its value.
  auth_header   text not null default 'authorization' check (auth_header ~ '^[a-z0-9-]{1,100}$'),
  timeout_ms    int not null default 30000 check (timeout_ms between 1000 and 120000),
  is_enabled    boolean not null default true,
  -- The tools announced at the last refresh: [{name, originalName, description, inputSchema, readOnly, idempotent}].
  tools         jsonb not null default '[]' check (jsonb_typeof(tools) = 'array'),
  status        text not null default 'pending' check (status in ('pending', 'connected', 'failed')),
  last_error    text check (length(last_error) <= 2000),
  checked_at    timestamptz,
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, name)
);

alter table mcp_servers enable row level security;
alter table mcp_servers force row level security;
create policy tenant_isolation on mcp_servers
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on mcp_servers to atrium_platform using (true) with check (true);
grant select, insert, update, delete on mcp_servers to atrium_app, atrium_platform;
