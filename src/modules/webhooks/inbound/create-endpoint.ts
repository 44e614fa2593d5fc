// POST /webhook-endpoints: a new inbound endpoint with its own signing secret (shown once).
import type { Principal } from '../../../kernel/http/principal.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import type { AuditContext } from '../../audit/index.ts';
import { insertEndpoint } from './endpoints.store.ts';
import { generateSecret, sealSecret } from '../signing.ts';
import { assertWorkflowExists } from './workflow-target.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import type { EndpointView } from '../webhooks.schema.ts';
import { toEndpointView } from '../webhooks.views.ts';

export type CreateEndpointInput = { name: string; description?: string; workflowId?: string | null; isOrdered?: boolean; isEnabled?: boolean };

export async function createEndpoint(ctx: WebhooksContext, principal: Principal, audit: AuditContext, input: CreateEndpointInput): Promise<EndpointView & { secret: string }> {
  const ws = principal.workspaceId;
  const id = uuidv7();
  const secret = generateSecret();
  const view = await ctx.db.withWorkspace(ws, async (tx) => {
    const workflowId = input.workflowId ?? null;
    if (workflowId) await assertWorkflowExists(ctx, tx, ws, workflowId);
    const row = await insertEndpoint(tx, {
      workspaceId: ws, id, name: input.name, description: input.description ?? '', workflowId, isOrdered: input.isOrdered ?? false,
      isEnabled: input.isEnabled ?? true, secretSealed: sealSecret(ctx.sealingKey, { kind: 'endpoint', workspaceId: ws, id }, secret), createdBy: principal.userId,
    });
    await ctx.audit.record(tx, audit, {
      workspaceId: ws, action: 'webhook_endpoint.created', targetType: 'webhook_endpoint', targetId: id,
      diff: { before: null, after: { name: row.name, workflowId, isOrdered: row.is_ordered, isEnabled: row.is_enabled } },
    });
    return toEndpointView(ctx.config.publicUrl, row);
  });
  ctx.endpoints.invalidate(id);
  return { ...view, secret };
}
