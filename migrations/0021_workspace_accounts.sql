-- A client's account, as the platform admin runs it (MasStock admin, brief 002 B): the
-- subscription (what the client pays: amount in minor units and ISO 4217 currency, billing
-- period, dates, status) and the operator's notes and metadata. The plan itself stays on
-- workspaces (tenancy owns it; it drives rate limits). Owned by the admin module; one row per
-- workspace, created on the first change. Every change is an audit event with before/after.

create table workspace_accounts (
  workspace_id              uuid primary key references workspaces (id) on delete cascade,
  subscription_amount_minor bigint check (subscription_amount_minor between 0 and 9007199254740991),
  subscription_currency     text check (subscription_currency ~ '^[A-Z]{3}$'),
  subscription_period       text check (subscription_period in ('month', 'year')),
  subscription_status       text check (subscription_status in ('active', 'past_due', 'cancelled')),
  subscription_starts_on    date,
  subscription_ends_on      date,
  notes                     text not null default '' check (length(notes) <= 10000),
  metadata                  jsonb not null default '{}' check (jsonb_typeof(metadata) = 'object'),
  updated_at                timestamptz not null default now(),
  updated_by                uuid,
  -- A subscription is whole or absent: amount, currency, period, status and start together.
  check (
    (subscription_amount_minor is null and subscription_currency is null and subscription_period is null
       and subscription_status is null and subscription_starts_on is null and subscription_ends_on is null)
    or (subscription_amount_minor is not null and subscription_currency is not null and subscription_period is not null
       and subscription_status is not null and subscription_starts_on is not null)
  ),
  check (subscription_ends_on is null or subscription_ends_on >= subscription_starts_on)
);

alter table workspace_accounts enable row level security;
alter table workspace_accounts force row level security;
create policy tenant_isolation on workspace_accounts
  using (workspace_id = (select atrium_current_workspace()))
  with check (workspace_id = (select atrium_current_workspace()));
create policy platform_access on workspace_accounts to atrium_platform using (true) with check (true);

grant select, insert, update, delete on workspace_accounts to atrium_app, atrium_platform;
