// Counters the alert rules watch (deploy/prometheus/atrium-rules.yml), one per process, exported
// with the app's registry by main.ts. Labels are bounded sets (outcome, reason), never a
// workspace or user id: those are in the audit trail, which the runbooks point to.
import { Counter, Gauge } from 'prom-client';
import type { Registry } from 'prom-client';

export const counters = {
  webhookDeliveries: new Counter({ name: 'atrium_webhook_deliveries_total', help: 'Outbound webhook delivery attempts, by outcome (succeeded, retrying, failed: the last attempt)', labelNames: ['outcome'] as const, registers: [] }),
  loginFailures: new Counter({ name: 'atrium_login_failures_total', help: 'Refused logins, by reason (invalid_credentials, locked, mfa_code)', labelNames: ['reason'] as const, registers: [] }),
  impersonationsStarted: new Counter({ name: 'atrium_impersonations_started_total', help: 'Impersonation sessions started by platform admins', registers: [] }),
  quotaRefusals: new Counter({ name: 'atrium_usage_quota_refusals_total', help: 'AI calls refused before they were sent because a quota or budget was reached, by metric (tokens, cost) and scope', labelNames: ['metric', 'scope'] as const, registers: [] }),
  auditVerificationFailures: new Gauge({ name: 'atrium_audit_verification_failures', help: 'Workspaces whose audit chain failed the last verification this process ran (0: all verified)', registers: [] }),
  auditVerifiedAt: new Gauge({ name: 'atrium_audit_last_verification_timestamp_seconds', help: 'When this process last finished verifying the audit chains (Unix time)', registers: [] }),
};

export function registerCounters(registry: Registry): void {
  for (const metric of Object.values(counters)) registry.registerMetric(metric);
}
