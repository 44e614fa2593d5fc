// POST /webhook-endpoints/:id/rotate-secret: a new secret (shown once); the old one keeps
// verifying for the grace period, so the sender can switch without losing deliveries.
import type { Principal } from '../../../kernel/http/principal.ts';
import type { AuditContext } from '../../audit/index.ts';
import { findEndpoint, rotateEndpointSecret as writeSecret } from './endpoints.store.ts';
import { generateSecret, sealSecret } from '../signing.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export async function rotateEndpointSecret(ctx: WebhooksContext, principal: Principal, audit: AuditContext, id: string, keepPreviousSeconds: number): Promise<{ secret: string; previousSecretExpiresAt: string | null }> {
  const ws = principal.workspaceId;
  const secret = generateSecret();
  const result = await ctx.db.withWorkspace(ws, async (tx) => {
    const before = await findEndpoint(tx, ws, id, { forUpdate: true });
    if (!before) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
    const after = await writeSecret(tx, ws, id, sealSecret(ctx.sealingKey, { kind: 'endpoint', workspaceId: ws, id }, secret), keepPreviousSeconds);
    const previousSecretExpiresAt = after.previous_secret_expires_at ? after.previous_secret_expires_at.toISOString() : null;
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'webhook_endpoint.secret_rotated', targetType: 'webhook_endpoint', targetId: id,
      diff: { before: null, after: { previousSecretExpiresAt } },
    });
    return { secret, previousSecretExpiresAt };
  });
  ctx.endpoints.invalidate(id);
  return result;
}
