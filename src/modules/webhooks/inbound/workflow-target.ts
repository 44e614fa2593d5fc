// An endpoint's target workflow must exist in the workspace (the workflows module's lookup, a
// required port wired by the composition root).
import type { Tx } from '../../../kernel/db/database.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export async function assertWorkflowExists(ctx: WebhooksContext, tx: Tx, workspaceId: string, workflowId: string): Promise<void> {
  if (!(await ctx.hooks.workflowExists(tx, workspaceId, workflowId))) {
    throw webhooksErrors.create('TARGET_WORKFLOW_NOT_FOUND', `No workflow ${workflowId} in this workspace`);
  }
}
