// Rows → API views. No view carries a secret; the one-time secret is added by create and rotate.
import type { EndpointRow, InboundListRow, InboundRow, ReplayRow } from './inbound/endpoints.store.ts';
import type { AttemptRow, OutboundRow, SubscriptionRow } from './outbound/subscriptions.store.ts';
import type { AttemptView, EndpointView, InboundDeliveryDetail, InboundDeliveryView, OutboundDeliveryView, SubscriptionView } from './webhooks.schema.ts';

const iso = (d: Date | null): string | null => (d ? d.toISOString() : null);

/** Where senders POST: `<public URL>/api/v1/hooks/<id>`. */
export function hookUrl(publicUrl: string, endpointId: string, isAgent = false): string {
  return `${publicUrl.replace(/\/$/, '')}/api/v1/${isAgent ? `agents/${endpointId}/webhook` : `hooks/${endpointId}`}`;
}

function livePrevious(expiresAt: Date | null): Date | null {
  return expiresAt && expiresAt.getTime() > Date.now() ? expiresAt : null;
}

export function toEndpointView(publicUrl: string, r: EndpointRow): EndpointView {
  const previous = livePrevious(r.previous_secret_expires_at);
  return {
    id: r.id, name: r.name, description: r.description, workflowId: r.target_kind === 'workflow' ? r.target_id : null,
    agentId: r.target_kind === 'agent' ? r.target_id : null,
    isOrdered: r.is_ordered, isEnabled: r.is_enabled, url: hookUrl(publicUrl, r.id, r.target_kind === 'agent'),
    hasPreviousSecret: previous !== null, previousSecretExpiresAt: iso(previous), secretRotatedAt: iso(r.secret_rotated_at),
    createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

export function toInboundView(r: InboundListRow): InboundDeliveryView {
  return {
    id: r.id, endpointId: r.endpoint_id, webhookId: r.webhook_id, webhookTimestamp: r.webhook_timestamp.toISOString(),
    receivedAt: r.received_at.toISOString(), outcome: r.outcome, responseStatus: r.response_status, executionId: r.execution_id,
    error: r.error, contentType: r.content_type, bodyBytes: r.body_bytes, replayCount: r.replay_count,
  };
}

export function toInboundDetail(r: InboundRow & { body_bytes: number }, replays: ReplayRow[]): InboundDeliveryDetail {
  return {
    ...toInboundView(r), headers: r.headers, body: r.body, responseBody: r.response_body,
    replays: replays.map((p) => ({ replayId: p.replay_id, outcome: p.outcome, executionId: p.execution_id, error: p.error, createdAt: p.created_at.toISOString() })),
  };
}

export function toSubscriptionView(r: SubscriptionRow): SubscriptionView {
  const previous = livePrevious(r.previous_secret_expires_at);
  return {
    id: r.id, url: r.url, eventTypes: r.event_types, description: r.description, isEnabled: r.is_enabled,
    consecutiveFailures: r.consecutive_failures, disabledAt: iso(r.disabled_at), disabledReason: r.disabled_reason,
    hasPreviousSecret: previous !== null, previousSecretExpiresAt: iso(previous), secretRotatedAt: iso(r.secret_rotated_at),
    createdBy: r.created_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}

export function toOutboundView(r: OutboundRow): OutboundDeliveryView {
  return {
    id: r.id, subscriptionId: r.subscription_id, eventId: r.event_id, eventType: r.event_type, kind: r.kind, status: r.status,
    attemptCount: r.attempt_count, lastStatusCode: r.last_status_code, lastError: r.last_error,
    createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(), deliveredAt: iso(r.delivered_at),
  };
}

export function toAttemptView(r: AttemptRow): AttemptView {
  return {
    id: r.id, attempt: r.attempt, trigger: r.trigger, startedAt: r.started_at.toISOString(), durationMs: r.duration_ms,
    statusCode: r.status_code, isSuccess: r.is_success, responseExcerpt: r.response_excerpt, error: r.error,
  };
}

/** Page cursor: the last row's id when the page is full. */
export function nextCursor<T extends { id: string }>(rows: T[], limit: number): string | null {
  return rows.length === limit ? rows[rows.length - 1].id : null;
}
