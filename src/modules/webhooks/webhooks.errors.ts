import { defineErrors } from '../../kernel/errors.ts';

export const webhooksErrors = defineErrors({
  ENDPOINT_NOT_FOUND: { status: 404, title: 'Webhook endpoint not found' },
  ENDPOINT_DISABLED: { status: 410, title: 'This webhook endpoint is disabled' },
  SUBSCRIPTION_NOT_FOUND: { status: 404, title: 'Event subscription not found' },
  DELIVERY_NOT_FOUND: { status: 404, title: 'Webhook delivery not found' },
  // The signature is the inbound route's authentication: every failure is a 401.
  WEBHOOK_SIGNATURE_MISSING: { status: 401, title: 'The webhook-id, webhook-timestamp and webhook-signature headers are required' },
  WEBHOOK_TIMESTAMP_STALE: { status: 401, title: 'The webhook timestamp is outside the tolerance' },
  WEBHOOK_SIGNATURE_INVALID: { status: 401, title: 'No webhook signature matches' },
  // Verified, but PostgreSQL can't hold it (it would be lost or a 500): the sender is told.
  WEBHOOK_PAYLOAD_UNSTORABLE: { status: 422, title: 'The webhook payload is not text that can be stored' },
  TARGET_NOT_ALLOWED: { status: 422, title: 'The URL is not an allowed webhook target' },
  UNKNOWN_EVENT_TYPE: { status: 422, title: 'Unknown event type' },
  ENDPOINT_TARGET_FIXED: { status: 422, title: 'The endpoint\'s target cannot change' },
  TARGET_WORKFLOW_NOT_FOUND: { status: 422, title: 'The target workflow does not exist in this workspace' },
});
