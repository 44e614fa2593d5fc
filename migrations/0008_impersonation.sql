-- Guarded impersonation (governance issue): a platform admin, or a holder of
-- `impersonation.start`, acts as a user for at most 60 minutes, with a written reason.
--
--  * users.allow_impersonation: the user's own opt-out (default: allowed).
--  * sessions.impersonator_id: the session is an impersonation session of user_id, opened by
--    impersonator_id; its expires_at is the hard end (atrium_session_state and refresh both
--    refuse it afterwards), and its access tokens carry the `act` claim.
--  * impersonations (tenant): one row per impersonation, in the workspace it acts in.
--  * impersonation_requests (tenant): the "procedure" for a workspace owner: a platform admin
--    asks, a SECOND platform admin approves, the requester starts within 15 minutes (once).

alter table users add column allow_impersonation boolean not null default true;

alter table sessions add column impersonator_id uuid references users (id);
alter table sessions add constraint sessions_impersonator_not_self check (impersonator_id is null or impersonator_id <> user_id);

create table impersonation_requests (
  workspace_id   uuid not null references workspaces (id),
  id             uuid not null default atrium_uuidv7(),
  requested_by   uuid not null references users (id),
  target_user_id uuid not null references users (id),
  reason         text not null check (length(reason) between 10 and 1000),
  status         text not null default 'pending' check (status in ('pending', 'approved', 'used')),
  created_at     timestamptz not null default now(),
  approved_by    uuid references users (id),
  approved_at    timestamptz,
  used_at        timestamptz,
  primary key (workspace_id, id),
  check (approved_by is null or approved_by <> requested_by),
  check ((status = 'pending') = (approved_at is null))
);
create index impersonation_requests_target_idx on impersonation_requests (workspace_id, target_user_id, requested_by, status);
create index impersonation_requests_pending_idx on impersonation_requests (created_at desc) where status = 'pending';

create table impersonations (
  workspace_id    uuid not null references workspaces (id),
  id              uuid not null default atrium_uuidv7(),
  impersonator_id uuid not null references users (id),
  target_user_id  uuid not null references users (id),
  session_id      uuid not null unique references sessions (id),
  request_id      uuid,
  reason          text not null check (length(reason) between 10 and 1000),
  started_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  ended_at        timestamptz,
  ended_reason    text,
  primary key (workspace_id, id),
  foreign key (workspace_id, request_id) references impersonation_requests (workspace_id, id),
  check (impersonator_id <> target_user_id),
  check (expires_at > started_at and expires_at <= started_at + interval '60 minutes')
);
create index impersonations_workspace_idx on impersonations (workspace_id, started_at desc);

do $$
declare t text;
begin
  foreach t in array array['impersonation_requests', 'impersonations'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

grant select, insert, update on impersonation_requests, impersonations to atrium_app, atrium_platform;
