-- Workflows (src/modules/workflows): definitions as data, immutable versions, executions that
-- run on the job engine, and one row per step run (the checkpoint a retry resumes from).
--
--  * workflows.current_version_id is the newest draft; deployed_version_id is the pinned one
--    executions use by default. Versions are never updated: editing makes a new one.
--  * An execution's (workflow_id, idempotency_key) is unique: the same Idempotency-Key on
--    POST /workflows/:id/execute gives the same execution, never a second one.
--  * Step runs hold the step's output (the checkpoint, up to 1 MB); the API shows at most 64 KB.

create table workflows (
  workspace_id          uuid not null references workspaces (id),
  id                    uuid not null default atrium_uuidv7(),
  name                  text not null check (length(name) between 1 and 200),
  description           text not null default '' check (length(description) <= 2000),
  status                text not null default 'draft' check (status in ('draft', 'deployed', 'archived')),
  input_schema          jsonb,
  cost_per_execution    numeric(14, 4) not null default 0 check (cost_per_execution >= 0),
  revenue_per_execution numeric(14, 4) not null default 0 check (revenue_per_execution >= 0),
  timeout_ms            int not null default 900000 check (timeout_ms between 1000 and 86400000),
  -- {cron, timezone, input}: a cron trigger, scheduled on the job engine while deployed.
  schedule              jsonb,
  current_version_id    uuid,
  deployed_version_id   uuid,
  created_by            uuid references users (id),
  updated_by            uuid references users (id),
  created_at            timestamptz not null default now(),
  updated_at            timestamptz not null default now(),
  deployed_at           timestamptz,
  archived_at           timestamptz,
  primary key (workspace_id, id)
);
create index workflows_list_idx on workflows (workspace_id, status, id);

create table workflow_versions (
  workspace_id uuid not null,
  id           uuid not null default atrium_uuidv7(),
  workflow_id  uuid not null,
  version      int not null check (version >= 1),
  definition   jsonb not null,
  note         text not null default '' check (length(note) <= 500),
  created_by   uuid references users (id),
  created_at   timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, workflow_id, version),
  foreign key (workspace_id, workflow_id) references workflows (workspace_id, id)
);

alter table workflows
  add foreign key (workspace_id, current_version_id) references workflow_versions (workspace_id, id) deferrable initially deferred,
  add foreign key (workspace_id, deployed_version_id) references workflow_versions (workspace_id, id) deferrable initially deferred;

create table workflow_executions (
  workspace_id        uuid not null,
  id                  uuid not null default atrium_uuidv7(),
  workflow_id         uuid not null,
  version_id          uuid not null,
  status              text not null default 'pending'
                      check (status in ('pending', 'processing', 'completed', 'failed', 'cancelled', 'timed_out')),
  trigger             text not null check (trigger in ('api', 'cron', 'webhook')),
  input               jsonb not null default '{}',
  output              jsonb,
  -- {message, code, stepId?, stack?}; the stack is shown to owners, admins and platform admins only.
  error               jsonb,
  steps_done          int not null default 0,
  steps_total         int not null default 0,
  current_step        text,
  idempotency_key     text check (length(idempotency_key) between 1 and 255),
  -- Executions sharing a key run one at a time, in start order (ordered webhook sources).
  ordering_key        text check (length(ordering_key) <= 200),
  job_id              uuid,
  actor               jsonb,
  timeout_ms          int not null,
  cost                numeric(14, 4),
  revenue             numeric(14, 4),
  created_at          timestamptz not null default now(),
  started_at          timestamptz,
  finished_at         timestamptz,
  duration_ms         int,
  primary key (workspace_id, id),
  foreign key (workspace_id, workflow_id) references workflows (workspace_id, id),
  foreign key (workspace_id, version_id) references workflow_versions (workspace_id, id)
);
create unique index workflow_executions_idempotency_key on workflow_executions (workspace_id, workflow_id, idempotency_key)
  where idempotency_key is not null;
create index workflow_executions_workflow_idx on workflow_executions (workspace_id, workflow_id, id desc);
create index workflow_executions_status_idx on workflow_executions (workspace_id, status, id desc);

create table workflow_step_runs (
  workspace_id     uuid not null,
  id               uuid not null default atrium_uuidv7(),
  execution_id     uuid not null,
  step_id          text not null,
  step_type        text not null,
  attempt          int not null check (attempt >= 1),
  status           text not null check (status in ('running', 'waiting', 'completed', 'failed', 'skipped')),
  output           jsonb,
  output_size      int,
  error            jsonb,
  -- A delay step's wake-up time while it waits.
  wake_at          timestamptz,
  started_at       timestamptz not null default now(),
  finished_at      timestamptz,
  duration_ms      int,
  primary key (workspace_id, id),
  unique (workspace_id, execution_id, step_id, attempt),
  foreign key (workspace_id, execution_id) references workflow_executions (workspace_id, id) on delete cascade
);
create index workflow_step_runs_execution_idx on workflow_step_runs (workspace_id, execution_id, id);

do $$
declare t text;
begin
  foreach t in array array['workflows', 'workflow_versions', 'workflow_executions', 'workflow_step_runs'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
  end loop;
end $$;

-- Versions are immutable: no update grant.
grant select, insert, update on workflows to atrium_app;
grant select, insert on workflow_versions to atrium_app;
grant select, insert, update on workflow_executions to atrium_app;
grant select, insert, update on workflow_step_runs to atrium_app;
grant select, insert, update, delete on workflows, workflow_versions, workflow_executions, workflow_step_runs to atrium_platform;
