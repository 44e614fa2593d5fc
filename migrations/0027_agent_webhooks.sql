-- Per-agent webhooks (issue 13, brief 000 S8.5). An agent's webhook is a webhook endpoint of
-- its own (same id as the agent, target_kind 'agent'): the Standard Webhooks verification, the
-- idempotency store (endpoint, webhook-id), the stored deliveries, replays and secret rotation of
-- the webhooks module serve it unchanged. Its answers in async mode go to an event subscription
-- of its own (same id as the agent) through the outbound machinery (signed, retried).
-- A delivery creates a queued run in its transaction; the run job starts it.
alter table webhook_endpoints drop constraint webhook_endpoints_target_kind_check;
alter table webhook_endpoints add constraint webhook_endpoints_target_kind_check check (target_kind in ('workflow', 'agent', 'none'));
alter table webhook_endpoints drop constraint webhook_endpoints_check;
alter table webhook_endpoints add constraint webhook_endpoints_target_check check ((target_kind in ('workflow', 'agent')) = (target_id is not null));
alter table webhook_endpoints add constraint webhook_endpoints_agent_check check (target_kind <> 'agent' or target_id = id);

-- How the agent answers a delivery: in the HTTP response (sync, waiting up to webhook_wait_ms,
-- then 202 with the run id), or 202 at once and the answer posted to its callback (async).
alter table agents add column webhook_mode text not null default 'sync' check (webhook_mode in ('sync', 'async'));
alter table agents add column webhook_wait_ms int not null default 25000 check (webhook_wait_ms between 0 and 120000);

-- A run waits as 'queued' between the delivery's transaction and its job.
alter table agent_runs drop constraint agent_runs_status_check;
alter table agent_runs add constraint agent_runs_status_check check (status in ('queued', 'running', 'completed', 'failed', 'cancelled', 'limit_reached'));
alter table agent_runs add column delivery_id uuid;

-- The hourly sweep of expired memories reads them through this (most memories never expire).
create index memories_expiry_idx on memories (expires_at) where expires_at is not null;

-- The console assistant (brief 004 V3.1) is an agent of kind 'assistant', one per workspace,
-- created on first use and hidden from the agents list: its runs, threads, usage and quota are
-- an agent's. Names are unique among the workspace's own agents only.
alter table agents add column kind text not null default 'agent' check (kind in ('agent', 'assistant'));
alter table agents drop constraint agents_workspace_id_name_key;
create unique index agents_name_key on agents (workspace_id, name) where kind = 'agent';
create unique index agents_assistant_key on agents (workspace_id) where kind = 'assistant';

-- A run that stopped before a tool that changes data, until its user approves or declines it.
alter table agent_runs drop constraint agent_runs_status_check;
alter table agent_runs add constraint agent_runs_status_check check (status in ('queued', 'running', 'awaiting_confirmation', 'completed', 'failed', 'cancelled', 'limit_reached'));
