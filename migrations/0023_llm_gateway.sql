-- The AI gateway (src/modules/llm) and the usage ledger it writes (src/modules/usage).
--
--  * llm_providers: a workspace's model provider connections (OpenAI, Anthropic, any
--    OpenAI-compatible base URL). The API key is a vault secret referenced by NAME; no key is
--    ever stored here.
--  * llm_platform_providers: the operator's providers, usable by every workspace and metered to
--    it like its own. Their key is sealed (AES-256-GCM, key derived from the root secret, bound
--    to the provider id); the request role may read the sealed text, never write it.
--  * llm_aliases: a workspace's names for models (`fast`, `smart`): an ordered list of
--    {providerId, model} targets, tried in order on 429 / 5xx / timeout.
--  * llm_prices: the price catalogue, versioned and effective-dated (a change is a new row);
--    llm_workspace_prices: a workspace's overrides, same shape. Prices are in micro-units of the
--    currency (1e-6) per million tokens, so a call's cost is an exact integer of micro-units.
--  * usage_events: one row per model call (the feed analytics read); the cost is frozen at call
--    time; `pricing` = 'unpriced' when no price applied (never shown as 0).
--  * usage_quotas: monthly token and cost limits per workspace / agent / API key, with an
--    optional temporary increase that expires.
--  * usage_counters: the month's spend and in-flight reservations per (scope, subject), the row a
--    reservation updates conditionally (the row lock serialises concurrent calls, so a budget
--    cannot be overrun by concurrency); usage_reservations: each in-flight reservation with an
--    expiry, released by a sweeper if its process died.
--  * usage_alerts: 80 % / 100 % / burn-rate alerts, unique per (scope, subject, period, kind):
--    each fires once per period.

create table llm_providers (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  name          text not null check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  kind          text not null check (kind in ('openai', 'anthropic', 'openai_compatible')),
  base_url      text not null check (length(base_url) between 8 and 2048),
  secret_name   text check (secret_name is null or length(secret_name) between 1 and 200),
  timeout_ms    int not null default 60000 check (timeout_ms between 1000 and 600000),
  is_enabled    boolean not null default true,
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, name)
);
create trigger llm_providers_touch before update on llm_providers
  for each row execute function atrium_touch_updated_at();

create table llm_platform_providers (
  id            uuid primary key default atrium_uuidv7(),
  name          text not null unique check (name ~ '^[a-z0-9][a-z0-9_-]{0,39}$'),
  kind          text not null check (kind in ('openai', 'anthropic', 'openai_compatible')),
  base_url      text not null check (length(base_url) between 8 and 2048),
  key_sealed    text,
  timeout_ms    int not null default 60000 check (timeout_ms between 1000 and 600000),
  is_enabled    boolean not null default true,
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now()
);
create trigger llm_platform_providers_touch before update on llm_platform_providers
  for each row execute function atrium_touch_updated_at();

create table llm_aliases (
  workspace_id  uuid not null references workspaces (id),
  name          text not null check (name ~ '^[a-z0-9][a-z0-9_.-]{0,39}$'),
  -- [{ "providerId": uuid, "model": text }], 1 to 5 targets, tried in order.
  targets       jsonb not null check (jsonb_typeof(targets) = 'array' and jsonb_array_length(targets) between 1 and 5),
  timeout_ms    int check (timeout_ms is null or timeout_ms between 1000 and 600000),
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (workspace_id, name)
);
create trigger llm_aliases_touch before update on llm_aliases
  for each row execute function atrium_touch_updated_at();

create table llm_prices (
  id                   uuid primary key default atrium_uuidv7(),
  model                text not null check (length(model) between 1 and 200),
  effective_from       timestamptz not null,
  currency             text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  input_per_mtok       bigint not null check (input_per_mtok >= 0),
  output_per_mtok      bigint not null check (output_per_mtok >= 0),
  cached_input_per_mtok bigint check (cached_input_per_mtok >= 0),
  cache_write_per_mtok bigint check (cache_write_per_mtok >= 0),
  source               text not null check (source in ('catalogue', 'admin')),
  created_by           uuid,
  created_at           timestamptz not null default now(),
  unique (model, effective_from)
);

create table llm_workspace_prices (
  workspace_id         uuid not null references workspaces (id),
  id                   uuid not null default atrium_uuidv7(),
  model                text not null check (length(model) between 1 and 200),
  effective_from       timestamptz not null,
  currency             text not null default 'USD' check (currency ~ '^[A-Z]{3}$'),
  input_per_mtok       bigint not null check (input_per_mtok >= 0),
  output_per_mtok      bigint not null check (output_per_mtok >= 0),
  cached_input_per_mtok bigint check (cached_input_per_mtok >= 0),
  cache_write_per_mtok bigint check (cache_write_per_mtok >= 0),
  created_by           uuid,
  created_at           timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, model, effective_from)
);

create table usage_events (
  workspace_id        uuid not null references workspaces (id),
  id                  uuid not null default atrium_uuidv7(),
  occurred_at         timestamptz not null default now(),
  request_id          text check (length(request_id) <= 128),
  user_id             uuid,
  api_key_id          uuid,
  agent_id            uuid,
  provider_id         uuid,
  provider_name       text,
  operation           text not null check (operation in ('chat', 'embeddings')),
  api_format          text not null check (api_format in ('openai', 'anthropic', 'internal')),
  model               text not null,
  resolved_model      text,
  input_tokens        bigint not null default 0 check (input_tokens >= 0),
  output_tokens       bigint not null default 0 check (output_tokens >= 0),
  cached_input_tokens bigint not null default 0 check (cached_input_tokens >= 0),
  cache_write_tokens  bigint not null default 0 check (cache_write_tokens >= 0),
  reasoning_tokens    bigint not null default 0 check (reasoning_tokens >= 0),
  cost_micros         bigint check (cost_micros >= 0),
  currency            text not null default 'USD',
  pricing             text not null check (pricing in ('priced', 'unpriced')),
  usage_source        text not null check (usage_source in ('provider', 'estimated', 'none')),
  status              text not null check (status in ('ok', 'error', 'client_closed', 'refused')),
  error_code          text,
  http_status         int,
  is_streamed         boolean not null default false,
  provider_latency_ms int,
  overhead_ms         int,
  attempts            int not null default 1,
  primary key (workspace_id, id),
  check ((pricing = 'priced') = (cost_micros is not null))
);
create index usage_events_time_idx on usage_events (workspace_id, occurred_at);

create table usage_quotas (
  workspace_id        uuid not null references workspaces (id),
  scope               text not null check (scope in ('workspace', 'agent', 'api_key')),
  -- The workspace id itself for scope 'workspace'.
  subject_id          uuid not null,
  monthly_tokens      bigint check (monthly_tokens >= 0),
  monthly_cost_micros bigint check (monthly_cost_micros >= 0),
  extra_tokens        bigint check (extra_tokens >= 0),
  extra_cost_micros   bigint check (extra_cost_micros >= 0),
  extra_expires_at    timestamptz,
  updated_by          uuid,
  updated_at          timestamptz not null default now(),
  primary key (workspace_id, scope, subject_id),
  check ((extra_tokens is null and extra_cost_micros is null) = (extra_expires_at is null))
);

create table usage_counters (
  workspace_id          uuid not null references workspaces (id),
  scope                 text not null check (scope in ('workspace', 'agent', 'api_key')),
  subject_id            uuid not null,
  period                date not null,
  spent_tokens          bigint not null default 0,
  spent_cost_micros     bigint not null default 0,
  reserved_tokens       bigint not null default 0 check (reserved_tokens >= 0),
  reserved_cost_micros  bigint not null default 0 check (reserved_cost_micros >= 0),
  primary key (workspace_id, scope, subject_id, period)
);

create table usage_reservations (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  period        date not null,
  -- [{ "scope", "subjectId" }]: the counters this reservation holds room on.
  subjects      jsonb not null,
  tokens        bigint not null check (tokens >= 0),
  cost_micros   bigint not null check (cost_micros >= 0),
  expires_at    timestamptz not null,
  created_at    timestamptz not null default now(),
  primary key (workspace_id, id)
);
create index usage_reservations_expiry_idx on usage_reservations (expires_at);

create table usage_alerts (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  scope         text not null check (scope in ('workspace', 'agent', 'api_key')),
  subject_id    uuid not null,
  period        date not null,
  kind          text not null check (kind in ('threshold_80', 'threshold_100', 'burn_rate')),
  metric        text not null check (metric in ('tokens', 'cost')),
  details       jsonb not null default '{}',
  created_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, scope, subject_id, period, kind, metric)
);
create index usage_alerts_time_idx on usage_alerts (workspace_id, created_at);

do $$
declare t text;
begin
  foreach t in array array['llm_providers', 'llm_aliases', 'llm_workspace_prices', 'usage_events', 'usage_quotas', 'usage_counters', 'usage_reservations', 'usage_alerts'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
    execute format('grant select, insert, update, delete on %I to atrium_app, atrium_platform', t);
  end loop;
end $$;

-- Platform tables: the request role reads them (to route and price a call), only the platform path writes.
grant select on llm_platform_providers, llm_prices to atrium_app;
grant select, insert, update, delete on llm_platform_providers, llm_prices to atrium_platform;

-- The shipped catalogue (USD per million tokens × 1e6), effective from the migration's date.
-- Platform admins add later versions; a workspace may override.
insert into llm_prices (model, effective_from, input_per_mtok, output_per_mtok, cached_input_per_mtok, cache_write_per_mtok, source) values
  ('gpt-4o',                    '2026-01-01', 2500000, 10000000, 1250000, null, 'catalogue'),
  ('gpt-4o-mini',               '2026-01-01',  150000,   600000,   75000, null, 'catalogue'),
  ('gpt-4.1',                   '2026-01-01', 2000000,  8000000,  500000, null, 'catalogue'),
  ('gpt-4.1-mini',              '2026-01-01',  400000,  1600000,  100000, null, 'catalogue'),
  ('gpt-4.1-nano',              '2026-01-01',  100000,   400000,   25000, null, 'catalogue'),
  ('o3',                        '2026-01-01', 2000000,  8000000,  500000, null, 'catalogue'),
  ('o4-mini',                   '2026-01-01', 1100000,  4400000,  275000, null, 'catalogue'),
  ('gpt-5',                     '2026-01-01', 1250000, 10000000,  125000, null, 'catalogue'),
  ('gpt-5-mini',                '2026-01-01',  250000,  2000000,   25000, null, 'catalogue'),
  ('gpt-5-nano',                '2026-01-01',   50000,   400000,    5000, null, 'catalogue'),
  ('text-embedding-3-small',    '2026-01-01',   20000,        0,    null, null, 'catalogue'),
  ('text-embedding-3-large',    '2026-01-01',  130000,        0,    null, null, 'catalogue'),
  ('claude-opus-4-1',           '2026-01-01', 15000000, 75000000, 1500000, 18750000, 'catalogue'),
  ('claude-sonnet-4-5',         '2026-01-01', 3000000, 15000000,  300000, 3750000, 'catalogue'),
  ('claude-sonnet-4',           '2026-01-01', 3000000, 15000000,  300000, 3750000, 'catalogue'),
  ('claude-haiku-4-5',          '2026-01-01', 1000000,  5000000,  100000, 1250000, 'catalogue'),
  ('claude-3-5-haiku-latest',   '2026-01-01',  800000,  4000000,   80000, 1000000, 'catalogue');
