-- Idempotency keys of creating requests (hardening issue): a POST that creates something, sent
-- again with the same Idempotency-Key by the same caller, gets the first answer back instead of
-- creating a second thing; the same key with another body is refused (422). Keys are scoped to a
-- workspace and a caller (a user or an API key) and kept 24 hours. A row without a status is a
-- request still running (a concurrent retry answers 409); the kernel's HTTP layer owns the table.

create table idempotency_keys (
  workspace_id  uuid not null references workspaces (id) on delete cascade,
  principal     text not null,
  key           text not null,
  fingerprint   text not null,
  status        smallint,
  content_type  text,
  response_body text,
  created_at    timestamptz not null default now(),
  expires_at    timestamptz not null default now() + interval '24 hours',
  primary key (workspace_id, principal, key)
);
-- Expired keys of a workspace are removed as new ones are claimed.
create index idempotency_keys_expiry_idx on idempotency_keys (workspace_id, expires_at);

alter table idempotency_keys enable row level security;
alter table idempotency_keys force row level security;
create policy tenant_isolation on idempotency_keys
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on idempotency_keys to atrium_platform using (true) with check (true);

grant select, insert, update, delete on idempotency_keys to atrium_app, atrium_platform;
