// The raw usage events of a window, newest first, a page at a time.
import type { Tx } from '../../kernel/db/database.ts';
import { toNumber } from '../../kernel/db/pool.ts';
import { decodeCursor, encodeCursor } from './usage-cursor.ts';
import { usageWindow } from './usage-window.ts';

export type UsageEventView = {
  id: string; occurredAt: string; requestId: string | null; userId: string | null; apiKeyId: string | null; agentId: string | null;
  providerId: string | null; providerName: string | null; operation: string; apiFormat: string; model: string; resolvedModel: string | null;
  inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteTokens: number; reasoningTokens: number;
  costMicros: number | null; currency: string; pricing: 'priced' | 'unpriced'; usageSource: string; status: string; errorCode: string | null;
  httpStatus: number | null; isStreamed: boolean; providerLatencyMs: number | null; overheadMs: number | null; attempts: number;
};

export type UsageEventQuery = { from?: string; to?: string; limit?: number; cursor?: string; model?: string; status?: string; apiKeyId?: string; agentId?: string; requestId?: string };

type Row = Record<string, unknown> & { id: string; occurred_at: Date };

function toView(r: Row): UsageEventView {
  const n = (v: unknown) => toNumber(v as string);
  const nn = (v: unknown) => (v === null ? null : toNumber(v as string));
  return {
    id: r.id, occurredAt: r.occurred_at.toISOString(), requestId: r.request_id as string | null, userId: r.user_id as string | null, apiKeyId: r.api_key_id as string | null,
    agentId: r.agent_id as string | null, providerId: r.provider_id as string | null, providerName: r.provider_name as string | null, operation: r.operation as string,
    apiFormat: r.api_format as string, model: r.model as string, resolvedModel: r.resolved_model as string | null,
    inputTokens: n(r.input_tokens), outputTokens: n(r.output_tokens), cachedInputTokens: n(r.cached_input_tokens), cacheWriteTokens: n(r.cache_write_tokens), reasoningTokens: n(r.reasoning_tokens),
    costMicros: nn(r.cost_micros), currency: r.currency as string, pricing: r.pricing as 'priced' | 'unpriced', usageSource: r.usage_source as string, status: r.status as string,
    errorCode: r.error_code as string | null, httpStatus: r.http_status as number | null, isStreamed: r.is_streamed as boolean,
    providerLatencyMs: r.provider_latency_ms as number | null, overheadMs: r.overhead_ms as number | null, attempts: r.attempts as number,
  };
}

export async function listUsageEvents(tx: Tx, workspaceId: string, q: UsageEventQuery): Promise<{ data: UsageEventView[]; nextCursor: string | null }> {
  const { from, to } = usageWindow(q);
  const limit = q.limit ?? 50;
  const values: unknown[] = [workspaceId, from, to, limit + 1];
  const where = ['workspace_id = $1', 'occurred_at >= $2', 'occurred_at < $3'];
  const add = (sql: string, v: unknown) => { values.push(v); where.push(sql.replace('?', `$${values.length}`)); };
  if (q.cursor) add('id < ?', decodeCursor(q.cursor));
  if (q.model) add('model = ?', q.model);
  if (q.status) add('status = ?', q.status);
  if (q.apiKeyId) add('api_key_id = ?', q.apiKeyId);
  if (q.agentId) add('agent_id = ?', q.agentId);
  if (q.requestId) add('request_id = ?', q.requestId);
  const { rows } = await tx.query<Row>(`select * from usage_events where ${where.join(' and ')} order by id desc limit $4`, values);
  const page = rows.slice(0, limit).map(toView);
  return { data: page, nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].id) : null };
}
