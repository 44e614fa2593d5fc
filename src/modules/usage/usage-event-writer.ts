// Group commit of usage events that touch no counter (no limit applies to the call's subjects):
// the calls settled while one transaction is on its way share the next one. Each caller's
// promise resolves only after the transaction holding its event committed — nothing is
// acknowledged before it is durable — but a burst of N calls costs one round trip and one WAL
// flush instead of N. Nothing waits for a timer: an idle writer sends at once (the next tick,
// so the calls settled in the same turn of the event loop leave together).
//
// One transaction, one packet: `begin`, then per workspace its tenant binding and a single
// `insert … select from unnest(…)` (RLS applies as for any tenant write), then `commit`. A batch
// that fails for its data (a row a constraint refuses) is retried row by row, so one bad event
// never takes its neighbours down; a batch that fails for the database fails its callers, as
// their own transaction would have.
import type { Database, Tx } from '../../kernel/db/database.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { UsageEventInput } from './usage.types.ts';
import { insertUsageEvent } from './usage.store.ts';

type Pending = { id: string; event: UsageEventInput; resolve: (v: { id: string; occurredAt: Date }) => void; reject: (e: unknown) => void };

/** Most events in one transaction (a burst beyond it takes the next one). */
const MAX_BATCH = 500;

const COLUMNS = `workspace_id, id, request_id, user_id, api_key_id, agent_id, provider_id, provider_name, operation, api_format, model, resolved_model,
  input_tokens, output_tokens, cached_input_tokens, cache_write_tokens, reasoning_tokens, cost_micros, pricing, usage_source, status, error_code, http_status,
  is_streamed, provider_latency_ms, overhead_ms, attempts`;
const TYPES = ['uuid', 'uuid', 'text', 'uuid', 'uuid', 'uuid', 'uuid', 'text', 'text', 'text', 'text', 'text',
  'int8', 'int8', 'int8', 'int8', 'int8', 'int8', 'text', 'text', 'text', 'text', 'int4', 'bool', 'int4', 'int4', 'int4'];
const INSERT = `insert into usage_events (${COLUMNS})
  select * from unnest(${TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(', ')})
  returning id, occurred_at`;

function columnsOf(id: string, e: UsageEventInput): unknown[] {
  return [e.subjects.workspaceId, id, e.requestId, e.subjects.userId ?? null, e.subjects.apiKeyId ?? null, e.subjects.agentId ?? null, e.providerId, e.providerName,
    e.operation, e.apiFormat, e.model, e.resolvedModel, e.inputTokens, e.outputTokens, e.cachedInputTokens, e.cacheWriteTokens, e.reasoningTokens, e.costMicros,
    e.costMicros === null ? 'unpriced' : 'priced', e.usageSource, e.status, e.errorCode, e.httpStatus, e.isStreamed, e.providerLatencyMs, e.overheadMs, e.attempts];
}

/** Errors for which the row, not the database, is at fault (SQLSTATE classes 22 data, 23 constraints). */
function isDataError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

export type UsageEventWriter = {
  /** `id`: the event's id when the caller minted it. */
  write(event: UsageEventInput, id?: string): Promise<{ id: string; occurredAt: Date }>;
  /** Resolves once everything written so far has been sent (and committed or failed). */
  drain(): Promise<void>;
  stats(): { batches: number; events: number; largest: number };
};

export function createUsageEventWriter(db: Database): UsageEventWriter {
  let queue: Pending[] = [];
  let running: Promise<void> | null = null;
  const counts = { batches: 0, events: 0, largest: 0 };

  async function insertGroups(tx: Tx, batch: Pending[]): Promise<Map<string, Date>> {
    const byWorkspace = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byWorkspace.get(p.event.subjects.workspaceId);
      if (list) list.push(p);
      else byWorkspace.set(p.event.subjects.workspaceId, [p]);
    }
    const sent: Array<Promise<{ rows: Array<{ id: string; occurred_at: Date }> }>> = [];
    let isFirst = true;
    for (const [workspaceId, list] of byWorkspace) {
      // The transaction opened bound to the first workspace; each next group re-binds it.
      if (!isFirst) sent.push(tx.query({ name: 'atrium_bind_workspace', text: "select set_config('app.workspace_id', $1, true)", values: [workspaceId] }) as Promise<never>);
      isFirst = false;
      const columns: unknown[][] = TYPES.map(() => []);
      for (const p of list) columnsOf(p.id, p.event).forEach((v, i) => columns[i].push(v));
      sent.push(tx.query<{ id: string; occurred_at: Date }>({ name: 'usage_events_batch', text: INSERT, values: columns }));
    }
    // Every statement is queued before any is awaited: they leave together.
    const results = await Promise.all(sent);
    const occurred = new Map<string, Date>();
    for (const r of results) for (const row of r.rows ?? []) occurred.set(row.id, row.occurred_at);
    return occurred;
  }

  async function send(batch: Pending[]): Promise<void> {
    counts.batches++;
    counts.events += batch.length;
    counts.largest = Math.max(counts.largest, batch.length);
    try {
      const occurred = await db.withWorkspace(batch[0].event.subjects.workspaceId, (tx) => insertGroups(tx, batch));
      for (const p of batch) p.resolve({ id: p.id, occurredAt: occurred.get(p.id)! });
    } catch (error) {
      if (batch.length === 1 || !isDataError(error)) {
        for (const p of batch) p.reject(error);
        return;
      }
      // One row is at fault: each event alone, so the others land.
      await Promise.all(batch.map(async (p) => {
        try {
          p.resolve(await db.withWorkspace(p.event.subjects.workspaceId, (tx) => insertUsageEvent(tx, p.event, p.id)));
        } catch (e) {
          p.reject(e);
        }
      }));
    }
  }

  async function run(): Promise<void> {
    // Let the calls settled in this turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (queue.length) {
      const batch = queue.slice(0, MAX_BATCH);
      queue = queue.slice(batch.length);
      await send(batch);
    }
    running = null;
  }

  return {
    write(event, id = uuidv7()) {
      return new Promise((resolve, reject) => {
        queue.push({ id, event, resolve, reject });
        running ??= run();
      });
    },
    async drain() {
      while (running) await running;
    },
    stats: () => ({ ...counts }),
  };
}
