// POST /hooks/:endpointId (public: the signature is the authentication). Verify the Standard
// Webhooks signature and timestamp, then, in one tenant transaction: claim (endpoint,
// webhook-id) in the idempotency store, start the target, store the answer. A duplicate, even
// one racing the first, waits on the unique key and gets the first answer; it starts nothing.
import { isUtf8 } from 'node:buffer';
import type { Tx } from '../../../kernel/db/database.ts';
import type { IncomingHttpHeaders } from 'node:http';
import { findTextFault } from '../../../kernel/http/input.ts';
import { AppError } from '../../../kernel/errors.ts';
import { uuidv7 } from '../../../kernel/ids.ts';
import { findInboundAnswer, insertInbound, setInboundAnswer } from './endpoints.store.ts';
import type { NewInbound } from './endpoints.store.ts';
import type { InboundEndpoint } from './endpoint-cache.ts';
import { verifyDelivery } from '../signing.ts';
import type { WebhooksContext } from '../webhooks.context.ts';
import { webhooksErrors } from '../webhooks.errors.ts';

export type InboundRequest = {
  endpointId: string; headers: IncomingHttpHeaders; body: Buffer; requestId: string; instance: string;
  /** Which route received it: an agent's webhook is delivered to `/agents/:id/webhook` only, other endpoints to `/hooks/:id` only. */
  door?: 'hooks' | 'agent';
};
export type InboundAnswer = { status: number; body: unknown; isDuplicate: boolean; workspaceId?: string };

// Never stored: the signature and anything that authenticates a caller.
const DROPPED_HEADERS = new Set(['webhook-signature', 'authorization', 'proxy-authorization', 'cookie', 'x-api-key']);

export function storedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || DROPPED_HEADERS.has(name)) continue;
    kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

export function parsePayload(body: string, contentType: string | null): unknown {
  if (contentType && /\bjson\b/i.test(contentType)) {
    try {
      return JSON.parse(body);
    } catch {
      return body;
    }
  }
  return body;
}

export function orderingKeyOf(endpoint: { id: string; isOrdered: boolean }): string | null {
  return endpoint.isOrdered ? `webhook-endpoint:${endpoint.id}` : null;
}

function problemOf(err: AppError, request: InboundRequest): Record<string, unknown> {
  return {
    type: `https://atrium.dev/problems/${err.code.toLowerCase().replace(/_/g, '-')}`,
    title: err.title, status: err.status, code: err.code, ...(err.detail !== undefined ? { detail: err.detail } : {}),
    instance: request.instance, requestId: request.requestId,
  };
}

export async function receiveWebhook(ctx: WebhooksContext, request: InboundRequest): Promise<InboundAnswer> {
  const endpoint = await ctx.endpoints.get(request.endpointId);
  const door = request.door ?? 'hooks';
  if (!endpoint || !endpoint.isWorkspaceActive || (endpoint.targetKind === 'agent') !== (door === 'agent')) throw webhooksErrors.create('ENDPOINT_NOT_FOUND');
  const verification = verifyDelivery(endpoint.signers, request.headers, request.body);
  if (!verification.ok) {
    const code = verification.reason === 'stale' ? 'WEBHOOK_TIMESTAMP_STALE' : verification.reason === 'missing' ? 'WEBHOOK_SIGNATURE_MISSING' : 'WEBHOOK_SIGNATURE_INVALID';
    throw webhooksErrors.create(code, verification.detail);
  }
  if (!endpoint.isEnabled) throw webhooksErrors.create('ENDPOINT_DISABLED', 'Deliveries are refused until the endpoint is enabled again');
  // Verified bytes that are not UTF-8 text, or hold a NUL, can't be stored as text: refused, not lost.
  if (!isUtf8(request.body) || request.body.includes(0)) {
    throw webhooksErrors.create('WEBHOOK_PAYLOAD_UNSTORABLE', 'The payload must be UTF-8 text without NUL bytes (send binary content base64-encoded)');
  }
  const body = request.body.toString('utf8');

  const ws = endpoint.workspaceId;
  const deliveryId = uuidv7();
  const contentType = typeof request.headers['content-type'] === 'string' ? request.headers['content-type'] : null;
  const accepted = { deliveryId, executionId: null as string | null, status: 'accepted' as const };
  const row: NewInbound = {
    workspaceId: ws, id: deliveryId, endpointId: endpoint.id, webhookId: verification.webhookId, webhookTimestamp: verification.timestamp,
    headers: storedHeaders(request.headers), contentType, body, outcome: 'accepted', responseStatus: 202, responseBody: accepted,
    executionId: null, error: null,
  };
  const start = startOf(ctx, endpoint);

  try {
    return { workspaceId: ws, ...await ctx.db.withWorkspace(ws, async (tx): Promise<InboundAnswer> => {
      if (!(await insertInbound(tx, row))) return duplicateAnswer(tx, ws, endpoint, verification.webhookId);
      if (!start) return { status: 202, body: accepted, isDuplicate: false };
      // JSON can spell what jsonb refuses (\u0000, a lone surrogate): the delivery is kept, its start refused.
      const payload = parsePayload(body, contentType);
      const fault = findTextFault(payload, 'payload');
      if (fault) throw webhooksErrors.create('WEBHOOK_PAYLOAD_UNSTORABLE', `${fault.path} ${fault.reason}`);
      const started = await start(tx, { deliveryId, webhookId: verification.webhookId, payload, headers: row.headers, replayId: null });
      const answer = { ...accepted, ...started };
      await setInboundAnswer(tx, ws, deliveryId, { responseBody: answer, executionId: started.executionId });
      return { status: 202, body: answer, isDuplicate: false };
    }) };
  } catch (err) {
    // The target refused the delivery (e.g. the workflow is not deployed): its work is rolled
    // back, and the refusal is stored as the answer duplicates get. A server fault stores
    // nothing, so the sender's retry is processed afresh.
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    const problem = problemOf(err, request);
    return ctx.db.withWorkspace(ws, async (tx) => {
      const failed = { ...row, outcome: 'failed' as const, responseStatus: err.status, responseBody: problem, error: err.detail ?? err.title };
      if (!(await insertInbound(tx, failed))) return duplicateAnswer(tx, ws, endpoint, verification.webhookId);
      return { status: err.status, body: problem, isDuplicate: false };
    });
  }
}

type Start = (tx: Tx, d: { deliveryId: string; webhookId: string; payload: unknown; headers: Record<string, string>; replayId: string | null }) =>
  Promise<{ executionId: string | null; runId?: string }>;

/** What a delivery to this endpoint starts: a workflow execution, an agent run, or nothing (stored only). */
export function startOf(ctx: WebhooksContext, endpoint: Pick<InboundEndpoint, 'id' | 'workspaceId' | 'targetKind' | 'targetId' | 'isOrdered'>): Start | null {
  const ws = endpoint.workspaceId;
  if (endpoint.targetKind === 'workflow' && endpoint.targetId) {
    return async (tx, d) => ctx.hooks.onInbound(tx, {
      workspaceId: ws, endpointId: endpoint.id, workflowId: endpoint.targetId!, orderingKey: orderingKeyOf(endpoint), ...d,
    });
  }
  if (endpoint.targetKind === 'agent' && endpoint.targetId) {
    const handler = ctx.hooks.onAgentInbound;
    if (!handler) {
      ctx.log.warn({ endpointId: endpoint.id }, 'webhook endpoint targets an agent but no agent handler is wired: delivery stored only');
      return null;
    }
    return async (tx, d) => ({ executionId: null, ...(await handler(tx, { workspaceId: ws, agentId: endpoint.targetId!, ...d })) });
  }
  return null;
}

async function duplicateAnswer(tx: Parameters<typeof findInboundAnswer>[0], ws: string, endpoint: InboundEndpoint, webhookId: string): Promise<InboundAnswer> {
  const stored = await findInboundAnswer(tx, ws, endpoint.id, webhookId);
  if (!stored) throw new Error('webhooks: a conflicting delivery vanished');
  return { status: stored.status, body: stored.body, isDuplicate: true };
}
