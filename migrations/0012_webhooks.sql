-- Webhooks in and out (src/modules/webhooks), Standard Webhooks scheme.
--
--  * Inbound: `webhook_endpoints` (one per trigger, own signing secret) and
--    `webhook_inbound_deliveries`, every verified delivery with the answer it got. The unique key
--    (workspace, endpoint, webhook-id) is the idempotency store: a duplicate, even concurrent,
--    conflicts on it and gets the stored answer, never a second execution.
--    `webhook_inbound_replays`: one row per (replay, delivery), so a replay re-run skips what it did.
--  * Outbound: `event_subscriptions` (URL, event types, own secret), `webhook_outbound_deliveries`
--    (one per event and subscription; the exact body sent, so every attempt signs the same bytes)
--    and `webhook_outbound_attempts` (status code, duration, response excerpt, error).
--  * Secrets are stored sealed (AES-256-GCM under a key derived from the root secret, bound to
--    workspace, owner and id); the plaintext is shown once on creation or rotation. A rotation
--    keeps the previous secret valid until `previous_secret_expires_at`.

create table webhook_endpoints (
  workspace_id   uuid not null references workspaces (id),
  id             uuid not null default atrium_uuidv7(),
  name           text not null check (length(name) between 1 and 100),
  description    text not null default '' check (length(description) <= 500),
  -- 'workflow': each delivery starts an execution of target_id; 'none': store only.
  target_kind    text not null check (target_kind in ('workflow', 'none')),
  target_id      uuid,
  is_ordered     boolean not null default false,
  is_enabled     boolean not null default true,
  secret_sealed  text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  secret_rotated_at timestamptz,
  created_by     uuid references users (id),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (workspace_id, id),
  check ((target_kind = 'workflow') = (target_id is not null)),
  check ((previous_secret_sealed is null) = (previous_secret_expires_at is null))
);
create trigger webhook_endpoints_touch before update on webhook_endpoints
  for each row execute function atrium_touch_updated_at();

create table webhook_inbound_deliveries (
  workspace_id    uuid not null,
  id              uuid not null default atrium_uuidv7(),
  endpoint_id     uuid not null,
  webhook_id      text not null check (length(webhook_id) between 1 and 255),
  webhook_timestamp timestamptz not null,
  -- Request headers without the signature and credentials.
  headers         jsonb not null default '{}',
  content_type    text,
  body            text not null,
  received_at     timestamptz not null default now(),
  outcome         text not null check (outcome in ('accepted', 'failed')),
  -- The first answer, returned as is to every duplicate.
  response_status int not null,
  response_body   jsonb not null,
  execution_id    uuid,
  error           text,
  primary key (workspace_id, id),
  foreign key (workspace_id, endpoint_id) references webhook_endpoints (workspace_id, id) on delete cascade
);
create unique index webhook_inbound_deliveries_dedup_key on webhook_inbound_deliveries (workspace_id, endpoint_id, webhook_id);
create index webhook_inbound_deliveries_endpoint_idx on webhook_inbound_deliveries (workspace_id, endpoint_id, id);
create index webhook_inbound_deliveries_received_idx on webhook_inbound_deliveries (workspace_id, received_at);

create table webhook_inbound_replays (
  workspace_id  uuid not null,
  replay_id     uuid not null,
  delivery_id   uuid not null,
  outcome       text not null check (outcome in ('accepted', 'failed')),
  execution_id  uuid,
  error         text,
  replayed_by   jsonb,
  created_at    timestamptz not null default now(),
  primary key (workspace_id, replay_id, delivery_id),
  foreign key (workspace_id, delivery_id) references webhook_inbound_deliveries (workspace_id, id) on delete cascade
);
create index webhook_inbound_replays_delivery_idx on webhook_inbound_replays (workspace_id, delivery_id);

create table event_subscriptions (
  workspace_id   uuid not null references workspaces (id),
  id             uuid not null default atrium_uuidv7(),
  url            text not null check (length(url) between 1 and 2000 and url ~ '^https?://'),
  event_types    text[] not null check (cardinality(event_types) between 1 and 100),
  description    text not null default '' check (length(description) <= 500),
  is_enabled     boolean not null default true,
  -- Deliveries that exhausted their attempts in a row; reset by a success.
  consecutive_failures int not null default 0 check (consecutive_failures >= 0),
  disabled_at    timestamptz,
  disabled_reason text,
  secret_sealed  text not null,
  previous_secret_sealed text,
  previous_secret_expires_at timestamptz,
  secret_rotated_at timestamptz,
  created_by     uuid references users (id),
  created_at     timestamptz not null default now(),
  updated_at     timestamptz not null default now(),
  primary key (workspace_id, id),
  check ((previous_secret_sealed is null) = (previous_secret_expires_at is null))
);
create index event_subscriptions_types_idx on event_subscriptions using gin (event_types) where is_enabled;
create trigger event_subscriptions_touch before update on event_subscriptions
  for each row execute function atrium_touch_updated_at();

create table webhook_outbound_deliveries (
  workspace_id    uuid not null,
  id              uuid not null default atrium_uuidv7(),
  subscription_id uuid not null,
  -- The `webhook-id` header: the same for every attempt (receivers deduplicate on it).
  event_id        uuid not null,
  event_type      text not null check (length(event_type) between 1 and 100),
  -- The exact JSON body, so every attempt signs the same bytes.
  body            text not null,
  status          text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
  -- 'event' (emitted), 'test' (ping), and redeliveries by hand reuse their delivery.
  kind            text not null default 'event' check (kind in ('event', 'test')),
  attempt_count   int not null default 0,
  last_status_code int,
  last_error      text,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  delivered_at    timestamptz,
  primary key (workspace_id, id),
  foreign key (workspace_id, subscription_id) references event_subscriptions (workspace_id, id) on delete cascade
);
create index webhook_outbound_deliveries_subscription_idx on webhook_outbound_deliveries (workspace_id, subscription_id, id);
create index webhook_outbound_deliveries_created_idx on webhook_outbound_deliveries (workspace_id, created_at);

create table webhook_outbound_attempts (
  workspace_id  uuid not null,
  id            uuid not null default atrium_uuidv7(),
  delivery_id   uuid not null,
  attempt       int not null check (attempt >= 1),
  trigger       text not null check (trigger in ('automatic', 'manual')),
  started_at    timestamptz not null,
  duration_ms   int not null check (duration_ms >= 0),
  status_code   int,
  is_success    boolean not null,
  response_excerpt text check (length(response_excerpt) <= 4096),
  error         text,
  primary key (workspace_id, id),
  foreign key (workspace_id, delivery_id) references webhook_outbound_deliveries (workspace_id, id) on delete cascade
);
create index webhook_outbound_attempts_delivery_idx on webhook_outbound_attempts (workspace_id, delivery_id, attempt);

do $$
declare t text;
begin
  foreach t in array array['webhook_endpoints', 'webhook_inbound_deliveries', 'webhook_inbound_replays',
                           'event_subscriptions', 'webhook_outbound_deliveries', 'webhook_outbound_attempts'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

grant select, insert, update, delete on webhook_endpoints, webhook_inbound_deliveries, webhook_inbound_replays,
  event_subscriptions, webhook_outbound_deliveries, webhook_outbound_attempts to atrium_app, atrium_platform;

-- The public inbound route knows only the endpoint id: this answers, before any workspace is
-- bound, which workspace it belongs to and how to verify its deliveries. Nothing else.
create or replace function atrium_find_webhook_endpoint(p_id uuid)
returns table (workspace_id uuid, id uuid, target_kind text, target_id uuid, is_ordered boolean, is_enabled boolean,
               secret_sealed text, previous_secret_sealed text, previous_secret_expires_at timestamptz, workspace_status text)
language sql stable security definer set search_path = public, pg_temp as $$
  select e.workspace_id, e.id, e.target_kind, e.target_id, e.is_ordered, e.is_enabled,
         e.secret_sealed, e.previous_secret_sealed, e.previous_secret_expires_at, w.status
  from webhook_endpoints e join workspaces w on w.id = e.workspace_id
  where e.id = p_id
$$;
revoke all on function atrium_find_webhook_endpoint(uuid) from public;
grant execute on function atrium_find_webhook_endpoint(uuid) to atrium_app, atrium_platform;
