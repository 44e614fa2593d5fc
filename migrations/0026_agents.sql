-- Agents (issue 13): an agent's definition with a draft and published versions, its
-- conversations (threads and messages), its runs (every step recorded, size-capped), its log,
-- and the workspace's long-term memory (per agent, or shared by the workspace's agents).
-- Every table is tenant-keyed (workspace_id leads every key) with RLS, like the others.
--
-- Memory recall never calls a model: full-text search (tsvector, 'simple' configuration: agencies
-- write in many languages) and trigram word similarity (pg_trgm), each through a GIN index that
-- leads with workspace_id (btree_gin), fused by reciprocal rank (memory.store.ts). Both extensions are trusted
-- contrib modules: a database owner may create them without being a superuser.
create extension if not exists pg_trgm;
create extension if not exists btree_gin;

create table agents (
  workspace_id      uuid not null references workspaces (id),
  id                uuid not null default atrium_uuidv7(),
  name              text not null check (length(name) between 1 and 80),
  description       text not null default '' check (length(description) <= 2000),
  -- The configuration being edited (model, prompt, tools, memory policy, limits): agents.schema.ts.
  draft             jsonb not null,
  published_version int,
  -- The role an agent acts with when no user is behind the run (webhook, workflow, schedule).
  service_role      text not null default 'viewer' check (service_role in ('admin', 'member', 'viewer')),
  created_by        uuid,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  primary key (workspace_id, id),
  unique (workspace_id, name)
);

create table agent_versions (
  workspace_id  uuid not null,
  agent_id      uuid not null,
  version       int not null check (version > 0),
  config        jsonb not null,
  published_by  uuid,
  published_at  timestamptz not null default now(),
  primary key (workspace_id, agent_id, version),
  foreign key (workspace_id, agent_id) references agents (workspace_id, id) on delete cascade
);

create table agent_threads (
  workspace_id  uuid not null,
  id            uuid not null default atrium_uuidv7(),
  agent_id      uuid not null,
  title         text not null default '' check (length(title) <= 200),
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, agent_id) references agents (workspace_id, id) on delete cascade
);
create index agent_threads_agent_idx on agent_threads (workspace_id, agent_id, updated_at desc);

create table agent_runs (
  workspace_id   uuid not null,
  id             uuid not null default atrium_uuidv7(),
  agent_id       uuid not null,
  version        int,
  thread_id      uuid,
  trigger        text not null check (trigger in ('chat', 'api', 'webhook', 'workflow')),
  actor_user_id  uuid,
  actor_key_id   uuid,
  status         text not null default 'running' check (status in ('running', 'completed', 'failed', 'cancelled', 'limit_reached')),
  -- Each step: a model call (tokens, cost, latency) or a tool call (input and output capped at 8 KiB).
  steps          jsonb not null default '[]',
  input_tokens   bigint not null default 0,
  output_tokens  bigint not null default 0,
  cost_micros    bigint not null default 0,
  unpriced_calls int not null default 0,
  model_calls    int not null default 0,
  tool_calls     int not null default 0,
  error          jsonb,
  started_at     timestamptz not null default now(),
  ended_at       timestamptz,
  latency_ms     int,
  primary key (workspace_id, id),
  foreign key (workspace_id, agent_id) references agents (workspace_id, id) on delete cascade,
  foreign key (workspace_id, thread_id) references agent_threads (workspace_id, id) on delete set null (thread_id)
);
create index agent_runs_agent_idx on agent_runs (workspace_id, agent_id, started_at desc);

create table agent_messages (
  workspace_id  uuid not null,
  id            uuid not null default atrium_uuidv7(),
  thread_id     uuid not null,
  run_id        uuid,
  role          text not null check (role in ('user', 'assistant', 'tool')),
  content       text not null default '' check (length(content) <= 200000),
  tool_calls    jsonb,
  tool_call_id  text,
  created_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, thread_id) references agent_threads (workspace_id, id) on delete cascade
);
create index agent_messages_thread_idx on agent_messages (workspace_id, thread_id, id);

create table agent_logs (
  workspace_id  uuid not null,
  id            uuid not null default atrium_uuidv7(),
  agent_id      uuid not null,
  run_id        uuid,
  level         text not null check (level in ('info', 'warn', 'error')),
  type          text not null check (type in ('run_started', 'run_ended', 'model_call', 'tool_call', 'memory_recall', 'webhook_received', 'error')),
  message       text not null check (length(message) <= 2000),
  tokens        int,
  created_at    timestamptz not null default now(),
  primary key (workspace_id, id),
  foreign key (workspace_id, agent_id) references agents (workspace_id, id) on delete cascade
);
create index agent_logs_agent_idx on agent_logs (workspace_id, agent_id, id desc);

create table memories (
  workspace_id  uuid not null references workspaces (id),
  id            uuid not null default atrium_uuidv7(),
  -- null: shared by the workspace's agents.
  agent_id      uuid,
  text          text not null check (length(text) between 1 and 8000),
  tags          text[] not null default '{}' check (cardinality(tags) <= 20),
  metadata      jsonb not null default '{}',
  expires_at    timestamptz,
  created_by    uuid,
  created_at    timestamptz not null default now(),
  updated_at    timestamptz not null default now(),
  bytes         int generated always as (octet_length(text)) stored,
  search        tsvector generated always as (to_tsvector('simple', text)) stored,
  -- The same words whatever the case, punctuation and spacing: a repeated memory is found by
  -- this, through a b-tree, however large the memory (remember merges instead of adding).
  fingerprint   text generated always as (md5(lower(btrim(regexp_replace(text, '[^[:alnum:]]+', ' ', 'g'))))) stored,
  primary key (workspace_id, id),
  foreign key (workspace_id, agent_id) references agents (workspace_id, id) on delete cascade
);
-- One GIN index for the words and the tags together: a recall with a tag filter narrows on both
-- in the index, before any row is read.
create index memories_search_idx on memories using gin (workspace_id, search, tags);
create index memories_trgm_idx on memories using gin (workspace_id, text gin_trgm_ops);
create index memories_list_idx on memories (workspace_id, agent_id, id desc);
create index memories_fingerprint_idx on memories (workspace_id, fingerprint);

-- Memories held per workspace (agent_id = the workspace's id) and per agent: the quotas (count
-- and bytes) are checked against these, moved in the transaction that adds or removes a memory.
create table memory_counters (
  workspace_id  uuid not null references workspaces (id),
  subject_id    uuid not null,
  count         bigint not null default 0 check (count >= 0),
  bytes         bigint not null default 0 check (bytes >= 0),
  primary key (workspace_id, subject_id)
);

-- The counters follow the rows whatever deletes them (an agent's deletion cascades to its
-- memories): a trigger, in the deleting transaction, under the same RLS.
create function atrium_memory_counters() returns trigger language plpgsql as $$
begin
  if tg_op in ('DELETE', 'UPDATE') then
    update memory_counters set count = count - 1, bytes = bytes - old.bytes
     where workspace_id = old.workspace_id and subject_id in (old.workspace_id, coalesce(old.agent_id, old.workspace_id));
  end if;
  if tg_op in ('INSERT', 'UPDATE') then
    insert into memory_counters as c (workspace_id, subject_id, count, bytes)
      select new.workspace_id, s, 1, new.bytes from unnest(array[new.workspace_id, new.agent_id]) s where s is not null
      on conflict (workspace_id, subject_id) do update set count = c.count + 1, bytes = c.bytes + excluded.bytes;
  end if;
  return null;
end $$;
create trigger memories_counters after insert or delete or update of text, agent_id on memories
  for each row execute function atrium_memory_counters();

do $$
declare t text;
begin
  foreach t in array array['agents', 'agent_versions', 'agent_threads', 'agent_runs', 'agent_messages', 'agent_logs', 'memories', 'memory_counters'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format($p$create policy tenant_isolation on %I
      using (workspace_id = (select atrium_current_workspace()))
      with check (workspace_id = (select atrium_current_workspace()))$p$, t);
    execute format('create policy platform_access on %I to atrium_platform using (true) with check (true)', t);
    execute format('grant select, insert, update, delete on %I to atrium_app, atrium_platform', t);
  end loop;
end $$;
