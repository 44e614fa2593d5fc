// SQL for webhook_endpoints, webhook_inbound_deliveries and webhook_inbound_replays.
import type { Tx } from '../../../kernel/db/database.ts';

export type EndpointRow = {
  workspace_id: string; id: string; name: string; description: string; target_kind: 'workflow' | 'agent' | 'none'; target_id: string | null;
  is_ordered: boolean; is_enabled: boolean; secret_sealed: string; previous_secret_sealed: string | null;
  previous_secret_expires_at: Date | null; secret_rotated_at: Date | null; created_by: string | null; created_at: Date; updated_at: Date;
};

const ENDPOINT = `workspace_id, id, name, description, target_kind, target_id, is_ordered, is_enabled, secret_sealed, previous_secret_sealed,
  previous_secret_expires_at, secret_rotated_at, created_by, created_at, updated_at`;

export type NewEndpoint = {
  workspaceId: string; id: string; name: string; description: string; workflowId: string | null; isOrdered: boolean; isEnabled: boolean;
  /** An agent's own endpoint (its id is the agent's). */
  isAgent?: boolean;
  secretSealed: string; createdBy: string | null;
};

export async function insertEndpoint(tx: Tx, e: NewEndpoint): Promise<EndpointRow> {
  const { rows } = await tx.query<EndpointRow>(
    `insert into webhook_endpoints (workspace_id, id, name, description, target_kind, target_id, is_ordered, is_enabled, secret_sealed, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning ${ENDPOINT}`,
    [e.workspaceId, e.id, e.name, e.description, e.isAgent ? 'agent' : e.workflowId ? 'workflow' : 'none', e.isAgent ? e.id : e.workflowId, e.isOrdered, e.isEnabled, e.secretSealed, e.createdBy]);
  return rows[0];
}

export async function findEndpoint(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<EndpointRow | null> {
  const { rows } = await tx.query<EndpointRow>(
    `select ${ENDPOINT} from webhook_endpoints where workspace_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function listEndpoints(tx: Tx, workspaceId: string, options: { limit: number; before?: string }): Promise<EndpointRow[]> {
  const { rows } = await tx.query<EndpointRow>(
    `select ${ENDPOINT} from webhook_endpoints where workspace_id = $1 and ($2::uuid is null or id < $2) order by id desc limit $3`,
    [workspaceId, options.before ?? null, options.limit]);
  return rows;
}

export type EndpointChanges = { name: string; description: string; workflowId: string | null; isOrdered: boolean; isEnabled: boolean };

export async function updateEndpoint(tx: Tx, workspaceId: string, id: string, c: EndpointChanges): Promise<EndpointRow> {
  const { rows } = await tx.query<EndpointRow>(
    // An agent's endpoint keeps its target (update-endpoint refuses to change it).
    `update webhook_endpoints set name = $3, description = $4,
       target_kind = case when target_kind = 'agent' then target_kind else $5 end, target_id = case when target_kind = 'agent' then target_id else $6::uuid end,
       is_ordered = $7, is_enabled = $8
     where workspace_id = $1 and id = $2 returning ${ENDPOINT}`,
    [workspaceId, id, c.name, c.description, c.workflowId ? 'workflow' : 'none', c.workflowId, c.isOrdered, c.isEnabled]);
  return rows[0];
}

export async function rotateEndpointSecret(tx: Tx, workspaceId: string, id: string, secretSealed: string, keepPreviousSeconds: number): Promise<EndpointRow> {
  const { rows } = await tx.query<EndpointRow>(
    `update webhook_endpoints set
       previous_secret_sealed = case when $4::int > 0 then secret_sealed end,
       previous_secret_expires_at = case when $4::int > 0 then now() + make_interval(secs => $4::int) end,
       secret_sealed = $3, secret_rotated_at = now()
     where workspace_id = $1 and id = $2 returning ${ENDPOINT}`,
    [workspaceId, id, secretSealed, keepPreviousSeconds]);
  return rows[0];
}

export async function deleteEndpoint(tx: Tx, workspaceId: string, id: string): Promise<EndpointRow | null> {
  const { rows } = await tx.query<EndpointRow>(`delete from webhook_endpoints where workspace_id = $1 and id = $2 returning ${ENDPOINT}`, [workspaceId, id]);
  return rows[0] ?? null;
}

// ---- inbound deliveries ---------------------------------------------------------------------

export type InboundRow = {
  workspace_id: string; id: string; endpoint_id: string; webhook_id: string; webhook_timestamp: Date; headers: Record<string, string>;
  content_type: string | null; body: string; received_at: Date; outcome: 'accepted' | 'failed'; response_status: number;
  response_body: unknown; execution_id: string | null; error: string | null; replay_count: number;
};

const INBOUND_LIST = `d.workspace_id, d.id, d.endpoint_id, d.webhook_id, d.webhook_timestamp, d.content_type, octet_length(d.body) as body_bytes,
  d.received_at, d.outcome, d.response_status, d.execution_id, d.error,
  (select count(*)::int from webhook_inbound_replays r where r.workspace_id = d.workspace_id and r.delivery_id = d.id) as replay_count`;

export type InboundListRow = Omit<InboundRow, 'headers' | 'body' | 'response_body'> & { body_bytes: number };

export type NewInbound = {
  workspaceId: string; id: string; endpointId: string; webhookId: string; webhookTimestamp: Date; headers: Record<string, string>;
  contentType: string | null; body: string; outcome: 'accepted' | 'failed'; responseStatus: number; responseBody: unknown;
  executionId: string | null; error: string | null;
};

const INSERT_INBOUND = `insert into webhook_inbound_deliveries
   (workspace_id, id, endpoint_id, webhook_id, webhook_timestamp, headers, content_type, body, outcome, response_status, response_body, execution_id, error)
   values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
   on conflict (workspace_id, endpoint_id, webhook_id) do nothing returning id`;

/**
 * Claim (endpoint, webhook-id): true when this delivery is the first. A concurrent duplicate
 * waits here for the first one's transaction, then conflicts (false).
 */
export async function insertInbound(tx: Tx, d: NewInbound): Promise<boolean> {
  const { rowCount } = await tx.query({
    name: 'webhooks_insert_inbound', text: INSERT_INBOUND,
    values: [d.workspaceId, d.id, d.endpointId, d.webhookId, d.webhookTimestamp, d.headers, d.contentType, d.body, d.outcome, d.responseStatus,
      JSON.stringify(d.responseBody), d.executionId, d.error],
  });
  return rowCount === 1;
}

export async function setInboundAnswer(tx: Tx, workspaceId: string, id: string, a: { responseBody: unknown; executionId: string | null }): Promise<void> {
  await tx.query({
    name: 'webhooks_set_inbound_answer',
    text: 'update webhook_inbound_deliveries set response_body = $3, execution_id = $4 where workspace_id = $1 and id = $2',
    values: [workspaceId, id, JSON.stringify(a.responseBody), a.executionId],
  });
}

/** The stored answer of (endpoint, webhook-id). */
export async function findInboundAnswer(tx: Tx, workspaceId: string, endpointId: string, webhookId: string): Promise<{ status: number; body: unknown } | null> {
  const { rows } = await tx.query<{ response_status: number; response_body: unknown }>({
    name: 'webhooks_find_inbound_answer',
    text: 'select response_status, response_body from webhook_inbound_deliveries where workspace_id = $1 and endpoint_id = $2 and webhook_id = $3',
    values: [workspaceId, endpointId, webhookId],
  });
  return rows[0] ? { status: rows[0].response_status, body: rows[0].response_body } : null;
}

export async function listInbound(tx: Tx, workspaceId: string, endpointId: string, o: { limit: number; before?: string; outcome?: string }): Promise<InboundListRow[]> {
  const { rows } = await tx.query<InboundListRow>(
    `select ${INBOUND_LIST} from webhook_inbound_deliveries d
     where d.workspace_id = $1 and d.endpoint_id = $2 and ($3::uuid is null or d.id < $3) and ($4::text is null or d.outcome = $4)
     order by d.id desc limit $5`,
    [workspaceId, endpointId, o.before ?? null, o.outcome ?? null, o.limit]);
  return rows;
}

export async function findInbound(tx: Tx, workspaceId: string, endpointId: string, id: string): Promise<(InboundRow & { body_bytes: number }) | null> {
  const { rows } = await tx.query<InboundRow & { body_bytes: number }>(
    `select ${INBOUND_LIST}, d.headers, d.body, d.response_body from webhook_inbound_deliveries d
     where d.workspace_id = $1 and d.endpoint_id = $2 and d.id = $3`,
    [workspaceId, endpointId, id]);
  return rows[0] ?? null;
}

export async function findInboundById(tx: Tx, workspaceId: string, id: string): Promise<InboundRow | null> {
  const { rows } = await tx.query<InboundRow>(
    `select d.*, 0 as replay_count from webhook_inbound_deliveries d where d.workspace_id = $1 and d.id = $2`, [workspaceId, id]);
  return rows[0] ?? null;
}

// ---- replays --------------------------------------------------------------------------------

export type ReplayRow = { replay_id: string; outcome: 'accepted' | 'failed'; execution_id: string | null; error: string | null; created_at: Date };

export async function listReplays(tx: Tx, workspaceId: string, deliveryId: string): Promise<ReplayRow[]> {
  const { rows } = await tx.query<ReplayRow>(
    `select replay_id, outcome, execution_id, error, created_at from webhook_inbound_replays
     where workspace_id = $1 and delivery_id = $2 order by created_at`, [workspaceId, deliveryId]);
  return rows;
}

/** Ids of the deliveries received in [since, until), oldest first; across endpoints when endpointId is null. */
export async function listDeliveriesToReplay(tx: Tx, workspaceId: string, w: { endpointId: string | null; since: Date; until: Date | null }): Promise<string[]> {
  const { rows } = await tx.query<{ id: string }>(
    `select id from webhook_inbound_deliveries
     where workspace_id = $1 and ($2::uuid is null or endpoint_id = $2) and received_at >= $3 and ($4::timestamptz is null or received_at < $4)
     order by received_at, id`,
    [workspaceId, w.endpointId, w.since, w.until]);
  return rows.map((r) => r.id);
}

/** Ids already re-run by this replay. */
export async function listReplayedIds(tx: Tx, workspaceId: string, replayId: string): Promise<Set<string>> {
  const { rows } = await tx.query<{ delivery_id: string }>(
    'select delivery_id from webhook_inbound_replays where workspace_id = $1 and replay_id = $2', [workspaceId, replayId]);
  return new Set(rows.map((r) => r.delivery_id));
}

export type NewReplay = { workspaceId: string; replayId: string; deliveryId: string; outcome: 'accepted' | 'failed'; executionId: string | null; error: string | null; replayedBy: unknown };

/** False when this replay already re-ran this delivery. */
export async function insertReplay(tx: Tx, r: NewReplay): Promise<boolean> {
  const { rowCount } = await tx.query(
    `insert into webhook_inbound_replays (workspace_id, replay_id, delivery_id, outcome, execution_id, error, replayed_by)
     values ($1, $2, $3, $4, $5, $6, $7) on conflict do nothing`,
    [r.workspaceId, r.replayId, r.deliveryId, r.outcome, r.executionId, r.error, JSON.stringify(r.replayedBy)]);
  return rowCount === 1;
}

export async function setReplayOutcome(tx: Tx, r: NewReplay): Promise<void> {
  await tx.query(
    `update webhook_inbound_replays set outcome = $4, execution_id = $5, error = $6
     where workspace_id = $1 and replay_id = $2 and delivery_id = $3`,
    [r.workspaceId, r.replayId, r.deliveryId, r.outcome, r.executionId, r.error]);
}

// ---- platform path (CLI replay, retention) --------------------------------------------------

/** Deliveries to replay across workspaces (platform path), grouped by workspace. */
export async function listReplayWorkspaces(tx: Tx, w: { workspaceId: string | null; endpointId: string | null; since: Date }): Promise<Array<{ workspaceId: string; count: number }>> {
  const { rows } = await tx.query<{ workspace_id: string; count: number }>(
    `select workspace_id, count(*)::int as count from webhook_inbound_deliveries
     where ($1::uuid is null or workspace_id = $1) and ($2::uuid is null or endpoint_id = $2) and received_at >= $3
     group by workspace_id order by workspace_id`,
    [w.workspaceId, w.endpointId, w.since]);
  return rows.map((r) => ({ workspaceId: r.workspace_id, count: r.count }));
}
