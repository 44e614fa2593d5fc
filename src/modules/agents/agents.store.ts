// SQL of the agents module (agents, agent_versions, agent_threads, agent_messages, agent_runs,
// agent_logs), in the caller's tenant transaction.
import type { Tx } from '../../kernel/db/database.ts';
import { uuidv7Monotonic } from '../../kernel/ids.ts';
import type { AgentConfig, AgentView, RunView, Step } from './agents.schema.ts';

export type AgentRow = {
  id: string; name: string; description: string; draft: AgentConfig; published_version: number | null; service_role: 'admin' | 'member' | 'viewer';
  created_at: Date; updated_at: Date; published_config: AgentConfig | null; webhook_mode: 'sync' | 'async'; webhook_wait_ms: number;
  /** updated_at in microseconds since the epoch (exact, unlike a Date): what a cached copy is checked against. */
  stamp: string;
};
const STAMP = '(extract(epoch from a.updated_at) * 1000000)::int8';
const AGENT = `a.id, a.name, a.description, a.draft, a.published_version, a.service_role, a.created_at, a.updated_at, a.webhook_mode, a.webhook_wait_ms, ${STAMP}::text as stamp,
  (select v.config from agent_versions v where v.workspace_id = a.workspace_id and v.agent_id = a.id and v.version = a.published_version) as published_config`;

export function viewOfAgent(r: AgentRow): AgentView {
  return {
    id: r.id, name: r.name, description: r.description, draft: r.draft, publishedVersion: r.published_version,
    hasUnpublishedChanges: r.published_config === null || JSON.stringify(r.published_config) !== JSON.stringify(r.draft),
    serviceRole: r.service_role, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

export async function selectAgents(tx: Tx, workspaceId: string): Promise<AgentRow[]> {
  const { rows } = await tx.query<AgentRow>(`select ${AGENT} from agents a where a.workspace_id = $1 and a.kind = 'agent' order by a.name limit 500`, [workspaceId]);
  return rows;
}

export async function selectAgent(tx: Tx, workspaceId: string, id: string, isLocked = false): Promise<AgentRow | null> {
  // Prepared (named): read on every chat.
  const { rows } = await tx.query<AgentRow>({ name: isLocked ? 'agents_select_locked' : 'agents_select', text: `select ${AGENT} from agents a where a.workspace_id = $1 and a.id = $2 and a.kind = 'agent'${isLocked ? ' for update' : ''}`, values: [workspaceId, id] });
  return rows[0] ?? null;
}

/** The workspace's console assistant, if it was ever used. */
export async function findAssistant(tx: Tx, workspaceId: string): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(`select id from agents where workspace_id = $1 and kind = 'assistant'`, [workspaceId]);
  return rows[0]?.id ?? null;
}

/** The workspace's console assistant (an agent of kind 'assistant'), created on first use with this model. */
export async function ensureAssistant(tx: Tx, workspaceId: string, draft: AgentConfig): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into agents (workspace_id, name, description, draft, service_role, kind) values ($1, 'Console assistant', 'The console''s assistant: it acts as the user who chats', $2, 'viewer', 'assistant')
     on conflict (workspace_id) where kind = 'assistant' do update set draft = excluded.draft, updated_at = now() returning id`, [workspaceId, JSON.stringify(draft)]);
  return rows[0].id;
}

/** One of the workspace's own agents (the console assistant is reached through /assistant only). */
export async function agentExists(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rows } = await tx.query(`select 1 from agents where workspace_id = $1 and id = $2 and kind = 'agent'`, [workspaceId, id]);
  return rows.length > 0;
}

export async function insertAgent(tx: Tx, workspaceId: string, a: { name: string; description: string; draft: AgentConfig; serviceRole: string; createdBy: string | null }): Promise<string | null> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into agents (workspace_id, name, description, draft, service_role, created_by) values ($1, $2, $3, $4, $5, $6)
     on conflict (workspace_id, name) where kind = 'agent' do nothing returning id`, [workspaceId, a.name, a.description, JSON.stringify(a.draft), a.serviceRole, a.createdBy]);
  return rows[0]?.id ?? null;
}

export async function updateAgent(tx: Tx, workspaceId: string, id: string, a: { name: string; description: string; draft: AgentConfig; serviceRole: string }): Promise<void> {
  await tx.query(`update agents set name = $3, description = $4, draft = $5, service_role = $6, updated_at = now() where workspace_id = $1 and id = $2`,
    [workspaceId, id, a.name, a.description, JSON.stringify(a.draft), a.serviceRole]);
}

export async function deleteAgent(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rowCount } = await tx.query('delete from agents where workspace_id = $1 and id = $2', [workspaceId, id]);
  return (rowCount ?? 0) > 0;
}

export async function insertVersion(tx: Tx, workspaceId: string, agentId: string, config: AgentConfig, publishedBy: string | null): Promise<number> {
  const { rows } = await tx.query<{ version: number }>(
    `with next as (select coalesce(max(version), 0) + 1 as v from agent_versions where workspace_id = $1 and agent_id = $2)
     insert into agent_versions (workspace_id, agent_id, version, config, published_by) select $1, $2, next.v, $3, $4 from next returning version`,
    [workspaceId, agentId, JSON.stringify(config), publishedBy]);
  await tx.query('update agents set published_version = $3, updated_at = now() where workspace_id = $1 and id = $2', [workspaceId, agentId, rows[0].version]);
  return rows[0].version;
}

export async function selectVersions(tx: Tx, workspaceId: string, agentId: string) {
  const { rows } = await tx.query<{ version: number; config: AgentConfig; published_by: string | null; published_at: Date }>(
    'select version, config, published_by, published_at from agent_versions where workspace_id = $1 and agent_id = $2 order by version desc limit 200', [workspaceId, agentId]);
  return rows.map((r) => ({ version: r.version, config: r.config, publishedBy: r.published_by, publishedAt: r.published_at.toISOString() }));
}

// Threads and messages.
export type MessageRow = { id: string; role: 'user' | 'assistant' | 'tool'; content: string; run_id: string | null; tool_calls: Array<{ id: string; name: string; arguments: string }> | null; tool_call_id: string | null; created_at: Date };

/** A new thread with the id the caller minted (so the run's other statements can be sent with it, without waiting). */
export async function insertThread(tx: Tx, workspaceId: string, id: string, agentId: string, title: string, createdBy: string | null): Promise<void> {
  await tx.query({ name: 'agents_thread_insert', text: 'insert into agent_threads (workspace_id, id, agent_id, title, created_by) values ($1, $2, $3, $4, $5)', values: [workspaceId, id, agentId, title, createdBy] });
}

export async function threadExists(tx: Tx, workspaceId: string, agentId: string, threadId: string): Promise<boolean> {
  const { rows } = await tx.query({ name: 'agents_thread_exists', text: `select 1 from agent_threads where workspace_id = $1 and agent_id = $2 and id = $3 and exists (select 1 from agents a where a.workspace_id = $1 and a.id = $2 and a.kind = 'agent')`, values: [workspaceId, agentId, threadId] });
  return rows.length > 0;
}

/**
 * In a run's opening transaction (sent with its first writes): is the agent's row still the one a
 * cached copy was read from (null: not checked), and is the thread the agent's (null: a new one)?
 */
export async function checkChatState(tx: Tx, workspaceId: string, agentId: string, stamp: string | null, threadId: string | null): Promise<{ isCurrent: boolean; isThreadKnown: boolean }> {
  const { rows } = await tx.query<{ is_current: boolean; is_thread_known: boolean }>({
    name: 'agents_chat_state',
    text: `select ($3::int8 is null or exists (select 1 from agents a where a.workspace_id = $1 and a.id = $2 and a.kind = 'agent' and ${STAMP} = $3::int8)) as is_current,
                  ($4::uuid is null or exists (select 1 from agent_threads t where t.workspace_id = $1 and t.agent_id = $2 and t.id = $4)) as is_thread_known`,
    values: [workspaceId, agentId, stamp, threadId],
  });
  return { isCurrent: rows[0].is_current, isThreadKnown: rows[0].is_thread_known };
}

/** A user's own conversations with the console assistant. */
export async function selectOwnThreads(tx: Tx, workspaceId: string, agentId: string, userId: string) {
  const { rows } = await tx.query<{ id: string; agent_id: string; title: string; created_at: Date; updated_at: Date }>(
    'select id, agent_id, title, created_at, updated_at from agent_threads where workspace_id = $1 and agent_id = $2 and created_by = $3 order by updated_at desc limit 50', [workspaceId, agentId, userId]);
  return rows.map((r) => ({ id: r.id, agentId: r.agent_id, title: r.title, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() }));
}

export async function ownThreadExists(tx: Tx, workspaceId: string, agentId: string, threadId: string, userId: string): Promise<boolean> {
  const { rows } = await tx.query('select 1 from agent_threads where workspace_id = $1 and agent_id = $2 and id = $3 and created_by = $4', [workspaceId, agentId, threadId, userId]);
  return rows.length > 0;
}

export async function selectThreads(tx: Tx, workspaceId: string, agentId: string) {
  const { rows } = await tx.query<{ id: string; agent_id: string; title: string; created_at: Date; updated_at: Date }>(
    'select id, agent_id, title, created_at, updated_at from agent_threads where workspace_id = $1 and agent_id = $2 order by updated_at desc limit 100', [workspaceId, agentId]);
  return rows.map((r) => ({ id: r.id, agentId: r.agent_id, title: r.title, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() }));
}

/** The thread's last `limit` messages, oldest first. */
export async function selectMessages(tx: Tx, workspaceId: string, threadId: string, limit: number): Promise<MessageRow[]> {
  const { rows } = await tx.query<MessageRow>({
    name: 'agents_messages_select',
    text: `select * from (select id, role, content, run_id, tool_calls, tool_call_id, created_at from agent_messages
       where workspace_id = $1 and thread_id = $2 order by id desc limit $3) m order by id`,
    values: [workspaceId, threadId, limit],
  });
  return rows;
}

export async function insertMessages(tx: Tx, workspaceId: string, threadId: string, runId: string | null, messages: Array<{ role: string; content: string; toolCalls?: unknown; toolCallId?: string | null }>): Promise<void> {
  if (messages.length === 0) return;
  // Ids minted here, monotonic: a thread reads in id order, and several messages share a millisecond.
  // Both statements are sent before either is awaited: one round trip.
  // Both statements are prepared (named: a turn writes them) and sent before either is awaited.
  await Promise.all([tx.query({
    name: 'agents_messages_insert',
    text: `insert into agent_messages (workspace_id, id, thread_id, run_id, role, content, tool_calls, tool_call_id)
     select $1, m.id, $2, $3, m.role, m.content, m.tool_calls, m.tool_call_id
       from jsonb_to_recordset($4::jsonb) as m(id uuid, role text, content text, tool_calls jsonb, tool_call_id text)`,
    values: [workspaceId, threadId, runId, JSON.stringify(messages.map((m) => ({ id: uuidv7Monotonic(), role: m.role, content: m.content, tool_calls: m.toolCalls ?? null, tool_call_id: m.toolCallId ?? null })))],
  }),
  tx.query({ name: 'agents_thread_touch', text: 'update agent_threads set updated_at = now() where workspace_id = $1 and id = $2', values: [workspaceId, threadId] })]);
}

// Runs.
type RunRow = {
  id: string; agent_id: string; version: number | null; thread_id: string | null; trigger: string; actor_user_id: string | null; status: RunView['status'];
  steps: Step[]; input_tokens: string; output_tokens: string; cost_micros: string; unpriced_calls: number; model_calls: number; tool_calls: number;
  error: { code: string; message: string } | null; started_at: Date; ended_at: Date | null; latency_ms: number | null;
};
const RUN = 'id, agent_id, version, thread_id, trigger, actor_user_id, status, steps, input_tokens, output_tokens, cost_micros, unpriced_calls, model_calls, tool_calls, error, started_at, ended_at, latency_ms';

export function viewOfRun(r: RunRow): RunView {
  return {
    id: r.id, agentId: r.agent_id, version: r.version, threadId: r.thread_id, trigger: r.trigger, actorUserId: r.actor_user_id, status: r.status, steps: r.steps,
    inputTokens: Number(r.input_tokens), outputTokens: Number(r.output_tokens), costMicros: Number(r.cost_micros), unpricedCalls: r.unpriced_calls,
    modelCalls: r.model_calls, toolCalls: r.tool_calls, error: r.error, startedAt: r.started_at.toISOString(), endedAt: r.ended_at?.toISOString() ?? null, latencyMs: r.latency_ms,
  };
}

/** A run with the id the caller minted (its log lines and messages are sent with it, without waiting). */
export async function insertRun(tx: Tx, workspaceId: string, r: { id: string; agentId: string; version: number | null; threadId: string | null; trigger: string; actorUserId: string | null; actorKeyId: string | null }): Promise<void> {
  await tx.query({
    name: 'agents_run_insert',
    text: 'insert into agent_runs (workspace_id, id, agent_id, version, thread_id, trigger, actor_user_id, actor_key_id) values ($1, $2, $3, $4, $5, $6, $7, $8)',
    values: [workspaceId, r.id, r.agentId, r.version, r.threadId, r.trigger, r.actorUserId, r.actorKeyId],
  });
}

/** A run a webhook delivery queued (its job starts it): no thread yet, no actor but the agent's service role. */
export async function insertQueuedRun(tx: Tx, workspaceId: string, r: { agentId: string; version: number; deliveryId: string }): Promise<string> {
  const { rows } = await tx.query<{ id: string }>(
    `insert into agent_runs (workspace_id, agent_id, version, trigger, status, delivery_id) values ($1, $2, $3, 'webhook', 'queued', $4) returning id`,
    [workspaceId, r.agentId, r.version, r.deliveryId]);
  return rows[0].id;
}

/** Take a queued run: true once (a second attempt of its job finds it taken). */
export async function startQueuedRun(tx: Tx, workspaceId: string, id: string, threadId: string): Promise<boolean> {
  const { rowCount } = await tx.query(
    `update agent_runs set status = 'running', thread_id = $3, started_at = now() where workspace_id = $1 and id = $2 and status = 'queued'`, [workspaceId, id, threadId]);
  return rowCount === 1;
}

/** How the agent answers its webhook: read on each delivery. */
export async function selectAgentWebhookMode(tx: Tx, workspaceId: string, id: string): Promise<{ mode: 'sync' | 'async'; waitMs: number } | null> {
  const { rows } = await tx.query<{ webhook_mode: 'sync' | 'async'; webhook_wait_ms: number }>({
    name: 'agents_webhook_mode', text: 'select webhook_mode, webhook_wait_ms from agents where workspace_id = $1 and id = $2', values: [workspaceId, id],
  });
  return rows[0] ? { mode: rows[0].webhook_mode, waitMs: rows[0].webhook_wait_ms } : null;
}

export async function setWebhookSettings(tx: Tx, workspaceId: string, id: string, s: { mode: 'sync' | 'async'; waitMs: number }): Promise<void> {
  await tx.query('update agents set webhook_mode = $3, webhook_wait_ms = $4 where workspace_id = $1 and id = $2', [workspaceId, id, s.mode, s.waitMs]);
}

/** A run's status alone (the webhook job's check before it takes the run). */
export async function selectRunStatus(tx: Tx, workspaceId: string, id: string): Promise<RunView['status'] | null> {
  const { rows } = await tx.query<{ status: RunView['status'] }>({ name: 'agents_run_status', text: 'select status from agent_runs where workspace_id = $1 and id = $2', values: [workspaceId, id] });
  return rows[0]?.status ?? null;
}

/** The run's status and answer (the last assistant message of the run), for a webhook waiting on it. */
export async function selectRunOutcome(tx: Tx, workspaceId: string, id: string): Promise<{ status: RunView['status']; agentId: string; message: string | null; error: unknown } | null> {
  const { rows } = await tx.query<{ status: RunView['status']; agent_id: string; error: unknown; message: string | null }>(
    `select r.status, r.agent_id, r.error,
       (select m.content from agent_messages m where m.workspace_id = r.workspace_id and m.thread_id = r.thread_id and m.run_id = r.id and m.role = 'assistant' order by m.id desc limit 1) as message
     from agent_runs r where r.workspace_id = $1 and r.id = $2`, [workspaceId, id]);
  return rows[0] ? { status: rows[0].status, agentId: rows[0].agent_id, message: rows[0].message, error: rows[0].error } : null;
}

export async function finishRun(tx: Tx, workspaceId: string, id: string, r: { status: RunView['status']; steps: Step[]; inputTokens: number; outputTokens: number; costMicros: number; unpricedCalls: number; modelCalls: number; toolCalls: number; error: { code: string; message: string } | null; latencyMs: number }): Promise<RunView> {
  const { rows } = await tx.query<RunRow>({
    name: 'agents_run_finish',
    text: `update agent_runs set status = $3, steps = $4, input_tokens = $5, output_tokens = $6, cost_micros = $7, unpriced_calls = $8, model_calls = $9, tool_calls = $10,
            error = $11, latency_ms = $12, ended_at = now()
      where workspace_id = $1 and id = $2 returning ${RUN}`,
    values: [workspaceId, id, r.status, JSON.stringify(r.steps), r.inputTokens, r.outputTokens, r.costMicros, r.unpricedCalls, r.modelCalls, r.toolCalls, r.error ? JSON.stringify(r.error) : null, r.latencyMs],
  });
  return viewOfRun(rows[0]);
}

export async function selectRun(tx: Tx, workspaceId: string, agentId: string, id: string): Promise<RunView | null> {
  const { rows } = await tx.query<RunRow>(`select ${RUN} from agent_runs where workspace_id = $1 and agent_id = $2 and id = $3 and exists (select 1 from agents a where a.workspace_id = $1 and a.id = $2 and a.kind = 'agent')`, [workspaceId, agentId, id]);
  return rows[0] ? viewOfRun(rows[0]) : null;
}

export async function selectRuns(tx: Tx, workspaceId: string, agentId: string, limit: number): Promise<RunView[]> {
  const { rows } = await tx.query<RunRow>(`select ${RUN} from agent_runs where workspace_id = $1 and agent_id = $2 order by started_at desc limit $3`, [workspaceId, agentId, limit]);
  return rows.map(viewOfRun);
}

// Logs.
export type LogEntry = { runId: string | null; level: 'info' | 'warn' | 'error'; type: string; message: string; tokens?: number | null };

export async function insertLogs(tx: Tx, workspaceId: string, agentId: string, entries: LogEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx.query({
    name: 'agents_logs_insert',
    text: `insert into agent_logs (workspace_id, id, agent_id, run_id, level, type, message, tokens)
     select $1, l.id, $2, l.run_id, l.level, l.type, left(l.message, 2000), l.tokens from jsonb_to_recordset($3::jsonb) as l(id uuid, run_id uuid, level text, type text, message text, tokens int)`,
    values: [workspaceId, agentId, JSON.stringify(entries.map((e) => ({ id: uuidv7Monotonic(), run_id: e.runId, level: e.level, type: e.type, message: e.message, tokens: e.tokens ?? null })))],
  });
}

export async function selectLogs(tx: Tx, workspaceId: string, agentId: string, q: { level?: string; search?: string; after?: string; limit: number }) {
  const values: unknown[] = [workspaceId, agentId, q.limit];
  const param = (v: unknown) => { values.push(v); return `$${values.length}`; };
  const conditions = ['workspace_id = $1', 'agent_id = $2'];
  if (q.level) conditions.push(`level = ${param(q.level)}`);
  if (q.search) conditions.push(`message ilike ${param(`%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)}`);
  if (q.after) conditions.push(`id > ${param(q.after)}`);
  const { rows } = await tx.query<{ id: string; run_id: string | null; level: string; type: string; message: string; tokens: number | null; created_at: Date }>(
    `select id, run_id, level, type, message, tokens, created_at from agent_logs where ${conditions.join(' and ')} order by id desc limit $3`, values);
  return rows.map((r) => ({ id: r.id, runId: r.run_id, level: r.level, type: r.type, message: r.message, tokens: r.tokens, createdAt: r.created_at.toISOString() }));
}

export async function deleteLogs(tx: Tx, workspaceId: string, agentId: string): Promise<number> {
  const { rowCount } = await tx.query('delete from agent_logs where workspace_id = $1 and agent_id = $2', [workspaceId, agentId]);
  return rowCount ?? 0;
}
