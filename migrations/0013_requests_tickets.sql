-- Workflow requests (a workspace asks the agency for a new automation; platform admins move it
-- through a pipeline) and support tickets (a thread between a workspace and the platform
-- admins). Both are tenant tables: the client side reaches them through withWorkspace, platform
-- admins through withPlatform only.

create table workflow_requests (
  workspace_id      uuid not null references workspaces (id),
  id                uuid not null default atrium_uuidv7(),
  title             text not null check (length(title) between 1 and 200),
  description       text not null default '' check (length(description) <= 10000),
  use_case          text not null default '' check (length(use_case) <= 5000),
  frequency         text not null check (frequency in ('once', 'hourly', 'daily', 'weekly', 'monthly', 'on_demand')),
  -- Money in the currency's smallest unit (Stripe's convention), with an ISO 4217 code.
  budget_amount     bigint check (budget_amount >= 0),
  budget_currency   text check (budget_currency ~ '^[A-Z]{3}$'),
  status            text not null default 'submitted' check (status in
                      ('submitted', 'reviewing', 'negotiation', 'contract_signed', 'development', 'deployed', 'rejected', 'withdrawn')),
  estimate_amount   bigint check (estimate_amount >= 0),
  estimate_currency text check (estimate_currency ~ '^[A-Z]{3}$'),
  estimate_delivery date,
  created_by        uuid references users (id),
  created_by_key    uuid,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  status_changed_at timestamptz not null default now(),
  closed_at         timestamptz,
  primary key (workspace_id, id),
  check ((budget_amount is null) = (budget_currency is null)),
  check ((estimate_amount is null) = (estimate_currency is null))
);
create index workflow_requests_list_idx on workflow_requests (workspace_id, id desc);
create index workflow_requests_status_idx on workflow_requests (workspace_id, status, id desc);
-- The platform admins' board and lookups by id across workspaces.
create index workflow_requests_board_idx on workflow_requests (status, id desc);
-- Not unique on its own (a distributed table's unique keys include workspace_id); ids are UUIDv7.
create index workflow_requests_id_idx on workflow_requests (id);

-- The timeline: every status move, estimate and note, stamped (who, when). Internal notes are
-- platform admins' only and never reach the client.
create table workflow_request_events (
  workspace_id uuid not null,
  id           uuid not null default atrium_uuidv7(),
  request_id   uuid not null,
  kind         text not null check (kind in ('submitted', 'updated', 'status_changed', 'estimated', 'note', 'withdrawn')),
  from_status  text,
  to_status    text,
  note         text not null default '' check (length(note) <= 10000),
  is_internal  boolean not null default false,
  actor_type   text not null check (actor_type in ('user', 'api_key', 'platform_admin', 'system')),
  actor_id     uuid,
  details      jsonb,
  created_at   timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, request_id) references workflow_requests (workspace_id, id) on delete cascade
);
create index workflow_request_events_request_idx on workflow_request_events (workspace_id, request_id, id);

create table support_tickets (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  subject       text not null check (length(subject) between 1 and 200),
  description   text not null default '' check (length(description) <= 20000),
  priority      text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  status        text not null default 'open' check (status in ('open', 'in_progress', 'waiting', 'resolved', 'closed')),
  -- A platform admin (checked by the use-case); a global user, not a tenant row.
  assignee_id   uuid references users (id),
  -- A workflow execution of the same workspace (workflows module); a plain id, checked on write.
  execution_id  uuid,
  created_by    uuid references users (id),
  created_by_key uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  last_activity_at timestamptz not null default now(),
  resolved_at   timestamptz,
  closed_at     timestamptz,
  primary key (workspace_id, id)
);
create index support_tickets_list_idx on support_tickets (workspace_id, id desc);
create index support_tickets_status_idx on support_tickets (workspace_id, status, id desc);
create index support_tickets_admin_idx on support_tickets (status, priority, id desc);
create index support_tickets_assignee_idx on support_tickets (assignee_id, id desc) where assignee_id is not null;
create index support_tickets_id_idx on support_tickets (id);

create table support_ticket_comments (
  workspace_id uuid not null,
  id           uuid not null default atrium_uuidv7(),
  ticket_id    uuid not null,
  author_type  text not null check (author_type in ('user', 'api_key', 'platform_admin', 'system')),
  author_id    uuid,
  body         text not null check (length(body) between 1 and 20000),
  is_internal  boolean not null default false,
  created_at   timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, ticket_id) references support_tickets (workspace_id, id) on delete cascade
);
create index support_ticket_comments_ticket_idx on support_ticket_comments (workspace_id, ticket_id, id);

create trigger workflow_requests_touch before update on workflow_requests
  for each row execute function atrium_touch_updated_at();
create trigger support_tickets_touch before update on support_tickets
  for each row execute function atrium_touch_updated_at();

do $$
declare t text;
begin
  foreach t in array array['workflow_requests', 'workflow_request_events', 'support_tickets', 'support_ticket_comments'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- Timelines and threads are append-only for clients; only the platform path deletes (never, today).
grant select, insert, update on workflow_requests, support_tickets to atrium_app;
grant select, insert on workflow_request_events, support_ticket_comments to atrium_app;
grant select, insert, update, delete on workflow_requests, workflow_request_events, support_tickets, support_ticket_comments to atrium_platform;
