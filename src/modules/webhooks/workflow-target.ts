// An endpoint's target workflow must exist in the workspace, when the workflows module tells us
// (its lookup is injected by the composition root; without it any id is accepted).
import type { Tx } from '../../kernel/db/database.ts';
import type { WebhooksContext } from './webhooks.context.ts';
import { webhooksErrors } from './webhooks.errors.ts';

export async function assertWorkflowExists(ctx: WebhooksContext, tx: Tx, workspaceId: string, workflowId: string): Promise<void> {
  const lookup = ctx.hooks.workflowExists;
  if (lookup && !(await lookup(tx, workspaceId, workflowId))) {
    throw webhooksErrors.create('TARGET_WORKFLOW_NOT_FOUND', `No workflow ${workflowId} in this workspace`);
  }
}
