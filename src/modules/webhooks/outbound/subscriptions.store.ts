// SQL for event_subscriptions, webhook_outbound_deliveries and webhook_outbound_attempts.
import type { Tx } from '../../../kernel/db/database.ts';

export type SubscriptionRow = {
  workspace_id: string; id: string; url: string; event_types: string[]; description: string; is_enabled: boolean;
  consecutive_failures: number; disabled_at: Date | null; disabled_reason: string | null; secret_sealed: string;
  previous_secret_sealed: string | null; previous_secret_expires_at: Date | null; secret_rotated_at: Date | null;
  created_by: string | null; created_at: Date; updated_at: Date;
};

const SUBSCRIPTION = `workspace_id, id, url, event_types, description, is_enabled, consecutive_failures, disabled_at, disabled_reason,
  secret_sealed, previous_secret_sealed, previous_secret_expires_at, secret_rotated_at, created_by, created_at, updated_at`;

export type NewSubscription = {
  workspaceId: string; id: string; url: string; eventTypes: string[]; description: string; isEnabled: boolean; secretSealed: string; createdBy: string | null;
};

export async function insertSubscription(tx: Tx, s: NewSubscription): Promise<SubscriptionRow> {
  const { rows } = await tx.query<SubscriptionRow>(
    `insert into event_subscriptions (workspace_id, id, url, event_types, description, is_enabled, secret_sealed, created_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8) returning ${SUBSCRIPTION}`,
    [s.workspaceId, s.id, s.url, s.eventTypes, s.description, s.isEnabled, s.secretSealed, s.createdBy]);
  return rows[0];
}

export async function findSubscription(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<SubscriptionRow | null> {
  const { rows } = await tx.query<SubscriptionRow>(
    `select ${SUBSCRIPTION} from event_subscriptions where workspace_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function listSubscriptions(tx: Tx, workspaceId: string, o: { limit: number; before?: string }): Promise<SubscriptionRow[]> {
  const { rows } = await tx.query<SubscriptionRow>(
    `select ${SUBSCRIPTION} from event_subscriptions where workspace_id = $1 and ($2::uuid is null or id < $2) order by id desc limit $3`,
    [workspaceId, o.before ?? null, o.limit]);
  return rows;
}

export type SubscriptionChanges = { url: string; eventTypes: string[]; description: string; isEnabled: boolean; isReenabled: boolean };

export async function updateSubscription(tx: Tx, workspaceId: string, id: string, c: SubscriptionChanges): Promise<SubscriptionRow> {
  const { rows } = await tx.query<SubscriptionRow>(
    `update event_subscriptions set url = $3, event_types = $4, description = $5, is_enabled = $6,
       consecutive_failures = case when $7 then 0 else consecutive_failures end,
       disabled_at = case when $6 then null else disabled_at end,
       disabled_reason = case when $6 then null else disabled_reason end
     where workspace_id = $1 and id = $2 returning ${SUBSCRIPTION}`,
    [workspaceId, id, c.url, c.eventTypes, c.description, c.isEnabled, c.isReenabled]);
  return rows[0];
}

export async function rotateSubscriptionSecret(tx: Tx, workspaceId: string, id: string, secretSealed: string, keepPreviousSeconds: number): Promise<SubscriptionRow> {
  const { rows } = await tx.query<SubscriptionRow>(
    `update event_subscriptions set
       previous_secret_sealed = case when $4::int > 0 then secret_sealed end,
       previous_secret_expires_at = case when $4::int > 0 then now() + make_interval(secs => $4::int) end,
       secret_sealed = $3, secret_rotated_at = now()
     where workspace_id = $1 and id = $2 returning ${SUBSCRIPTION}`,
    [workspaceId, id, secretSealed, keepPreviousSeconds]);
  return rows[0];
}

export async function deleteSubscription(tx: Tx, workspaceId: string, id: string): Promise<SubscriptionRow | null> {
  const { rows } = await tx.query<SubscriptionRow>(`delete from event_subscriptions where workspace_id = $1 and id = $2 returning ${SUBSCRIPTION}`, [workspaceId, id]);
  return rows[0] ?? null;
}

/** A delivery that exhausted its attempts: one more failure in a row; disabled at `threshold`. Returns the row when this call disabled it. */
export async function recordSubscriptionFailure(tx: Tx, workspaceId: string, id: string, threshold: number, reason: string): Promise<SubscriptionRow | null> {
  const before = await findSubscription(tx, workspaceId, id, { forUpdate: true });
  if (!before) return null;
  const isDisabling = before.is_enabled && before.consecutive_failures + 1 >= threshold;
  const { rows } = await tx.query<SubscriptionRow>(
    `update event_subscriptions set consecutive_failures = consecutive_failures + 1,
       is_enabled = case when $3 then false else is_enabled end,
       disabled_at = case when $3 then now() else disabled_at end,
       disabled_reason = case when $3 then $4 else disabled_reason end
     where workspace_id = $1 and id = $2 returning ${SUBSCRIPTION}`,
    [workspaceId, id, isDisabling, reason]);
  return isDisabling ? rows[0] : null;
}

export async function resetSubscriptionFailures(tx: Tx, workspaceId: string, id: string): Promise<void> {
  await tx.query('update event_subscriptions set consecutive_failures = 0 where workspace_id = $1 and id = $2 and consecutive_failures <> 0', [workspaceId, id]);
}

// ---- outbound deliveries --------------------------------------------------------------------

export type OutboundRow = {
  workspace_id: string; id: string; subscription_id: string; event_id: string; event_type: string; body: string;
  status: 'pending' | 'succeeded' | 'failed'; kind: 'event' | 'test'; attempt_count: number; last_status_code: number | null;
  last_error: string | null; created_at: Date; updated_at: Date; delivered_at: Date | null;
};

const OUTBOUND = `workspace_id, id, subscription_id, event_id, event_type, body, status, kind, attempt_count, last_status_code, last_error,
  created_at, updated_at, delivered_at`;

/** One delivery per enabled subscription of the workspace listening to `eventType`. */
export async function insertDeliveriesForEvent(tx: Tx, workspaceId: string, e: { eventId: string; eventType: string; body: string }): Promise<Array<{ id: string; subscriptionId: string }>> {
  const { rows } = await tx.query<{ id: string; subscription_id: string }>({
    name: 'webhooks_emit',
    text: `insert into webhook_outbound_deliveries (workspace_id, subscription_id, event_id, event_type, body)
     select s.workspace_id, s.id, $2, $3, $4 from event_subscriptions s
     where s.workspace_id = $1 and s.is_enabled and s.event_types @> array[$3::text]
     returning id, subscription_id`,
    values: [workspaceId, e.eventId, e.eventType, e.body],
  });
  return rows.map((r) => ({ id: r.id, subscriptionId: r.subscription_id }));
}

export async function insertDelivery(tx: Tx, d: { workspaceId: string; subscriptionId: string; eventId: string; eventType: string; body: string; kind: 'event' | 'test' }): Promise<OutboundRow> {
  const { rows } = await tx.query<OutboundRow>(
    `insert into webhook_outbound_deliveries (workspace_id, subscription_id, event_id, event_type, body, kind)
     values ($1, $2, $3, $4, $5, $6) returning ${OUTBOUND}`,
    [d.workspaceId, d.subscriptionId, d.eventId, d.eventType, d.body, d.kind]);
  return rows[0];
}

export async function findDelivery(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<OutboundRow | null> {
  const { rows } = await tx.query<OutboundRow>(
    `select ${OUTBOUND} from webhook_outbound_deliveries where workspace_id = $1 and id = $2${options.forUpdate ? ' for update' : ''}`, [workspaceId, id]);
  return rows[0] ?? null;
}

export async function listDeliveries(tx: Tx, workspaceId: string, subscriptionId: string, o: { limit: number; before?: string; status?: string }): Promise<OutboundRow[]> {
  const { rows } = await tx.query<OutboundRow>(
    `select ${OUTBOUND} from webhook_outbound_deliveries
     where workspace_id = $1 and subscription_id = $2 and ($3::uuid is null or id < $3) and ($4::text is null or status = $4)
     order by id desc limit $5`,
    [workspaceId, subscriptionId, o.before ?? null, o.status ?? null, o.limit]);
  return rows;
}

export async function markDeliveryPending(tx: Tx, workspaceId: string, id: string): Promise<OutboundRow> {
  const { rows } = await tx.query<OutboundRow>(
    `update webhook_outbound_deliveries set status = 'pending', updated_at = now() where workspace_id = $1 and id = $2 returning ${OUTBOUND}`, [workspaceId, id]);
  return rows[0];
}

/** What the delivery job needs in one read: the delivery and its subscription. */
export type DeliveryToSend = OutboundRow & {
  url: string; is_enabled: boolean; secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: Date | null;
};

export async function findDeliveryToSend(tx: Tx, workspaceId: string, id: string): Promise<DeliveryToSend | null> {
  const { rows } = await tx.query<DeliveryToSend>({
    name: 'webhooks_delivery_to_send',
    text: `select ${OUTBOUND.split(/,\s*/).map((c) => `d.${c}`).join(', ')},
       s.url, s.is_enabled, s.secret_sealed, s.previous_secret_sealed, s.previous_secret_expires_at
     from webhook_outbound_deliveries d join event_subscriptions s on s.workspace_id = d.workspace_id and s.id = d.subscription_id
     where d.workspace_id = $1 and d.id = $2`,
    values: [workspaceId, id],
  });
  return rows[0] ?? null;
}

export type AttemptRow = {
  id: string; delivery_id: string; attempt: number; trigger: 'automatic' | 'manual'; started_at: Date; duration_ms: number; status_code: number | null;
  is_success: boolean; response_excerpt: string | null; error: string | null;
};

export type AttemptResult = {
  trigger: 'automatic' | 'manual'; startedAt: Date; durationMs: number; statusCode: number | null; isSuccess: boolean;
  responseExcerpt: string | null; error: string | null;
};

/**
 * Record one attempt and move the delivery: succeeded, failed (final), or still pending. One
 * statement: the attempt number is the delivery's count + 1, taken under the row's lock.
 */
export async function recordAttempt(tx: Tx, workspaceId: string, deliveryId: string, a: AttemptResult, status: OutboundRow['status']): Promise<number> {
  const { rows } = await tx.query<{ attempt_count: number }>({
    name: 'webhooks_record_attempt',
    text: `with d as (
       update webhook_outbound_deliveries set attempt_count = attempt_count + 1, status = $3, last_status_code = $4, last_error = $5,
         updated_at = now(), delivered_at = case when $3 = 'succeeded' then now() else delivered_at end
       where workspace_id = $1 and id = $2 returning attempt_count
     )
     insert into webhook_outbound_attempts (workspace_id, delivery_id, attempt, trigger, started_at, duration_ms, status_code, is_success, response_excerpt, error)
     select $1, $2, d.attempt_count, $6, $7, $8, $4, $9, $10, $5 from d
     returning attempt as attempt_count`,
    values: [workspaceId, deliveryId, status, a.statusCode, a.error, a.trigger, a.startedAt, a.durationMs, a.isSuccess, a.responseExcerpt],
  });
  return rows[0]?.attempt_count ?? 0;
}

export async function failDeliveryWithoutAttempt(tx: Tx, workspaceId: string, id: string, error: string): Promise<void> {
  await tx.query(`update webhook_outbound_deliveries set status = 'failed', last_error = $3, updated_at = now() where workspace_id = $1 and id = $2`, [workspaceId, id, error]);
}

export async function listAttempts(tx: Tx, workspaceId: string, deliveryId: string): Promise<AttemptRow[]> {
  const { rows } = await tx.query<AttemptRow>(
    `select id, delivery_id, attempt, trigger, started_at, duration_ms, status_code, is_success, response_excerpt, error
     from webhook_outbound_attempts where workspace_id = $1 and delivery_id = $2 order by attempt`, [workspaceId, deliveryId]);
  return rows;
}
