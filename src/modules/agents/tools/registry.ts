// The tool registry (brief 004 V3.2): one contract for every tool an agent (or the assistant, or
// an MCP client) may call. A tool declares its name, description, input and output JSON Schemas,
// the permission it needs (the access registry's `resource.action`), a timeout, whether it is
// idempotent (only those are retried), a rate limit per workspace, and whether it mutates
// anything beyond the agent's own memory. `invoke` enforces all of it: the input is validated,
// the permission checked with `can()` for the principal the run acts as, the timeout honoured,
// the output validated; every outcome is counted for /metrics.
import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { Counter, Histogram } from 'prom-client';
import type { Registry } from 'prom-client';
import type { Database } from '../../../kernel/db/database.ts';
import type { Principal } from '../../../kernel/http/principal.ts';
import { can } from '../../access/index.ts';
import type { Permission } from '../../access/index.ts';
import { AppError } from '../../../kernel/errors.ts';
import { createTenantAjv } from '../../../kernel/tenant-ajv.ts';

const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;
const ajv = addFormats(new Ajv({ allErrors: true, strict: false, useDefaults: true }));

export type ToolContext = {
  db: Database;
  /** Who the run acts as: the user chatting, or the agent's service identity. */
  principal: Principal;
  workspaceId: string;
  agentId: string | null;
  runId: string | null;
  signal: AbortSignal;
  /** Through what the tool is called (in the audit trail's user agent): an agent's run (default), the assistant, MCP, a workflow. */
  via?: 'agent' | 'assistant' | 'mcp' | 'workflow';
};

export type ToolDefinition<I = Record<string, unknown>, O = unknown> = {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
  permission: Permission;
  timeoutMs: number;
  isIdempotent: boolean;
  /** Attempts after the first, for idempotent tools only. */
  retries: number;
  /** Calls per minute per workspace. */
  ratePerMinute: number;
  isMutating: boolean;
  /** A valid input (documentation, and the contract test's call). */
  example?: I;
  run(ctx: ToolContext, input: I): Promise<O>;
};

export type ToolError = { code: 'TOOL_UNKNOWN' | 'TOOL_INPUT_INVALID' | 'TOOL_FORBIDDEN' | 'TOOL_TIMEOUT' | 'TOOL_RATE_LIMITED' | 'TOOL_FAILED' | 'TOOL_OUTPUT_INVALID'; message: string };
export type ToolOutcome = { ok: true; output: unknown; ms: number } | { ok: false; error: ToolError; ms: number };

/**
 * A failure a tool explains to its caller (the model reads it), e.g. "HTTP_TIMEOUT: GET … timed
 * out": its message is shown as is (so it must hold nothing secret); retried, for idempotent
 * tools, only when isRetryable. Any other error shows as "<tool> failed".
 */
export type ExplainedToolError = Error & { isExplained: true; isRetryable?: boolean };
export function explainedToolError(message: string, isRetryable = false): ExplainedToolError {
  return Object.assign(new Error(message), { isExplained: true as const, isRetryable });
}

type Compiled = { def: ToolDefinition; input: ValidateFunction; output: ValidateFunction };

/**
 * Tools that belong to one workspace (an external MCP server's): every name starts with the
 * source's prefix (`mcp.`), and `load` answers the workspace's tools (the source caches them).
 */
export type ToolSource = { prefix: string; load(workspaceId: string): Promise<ToolDefinition[]> };

/**
 * A schema from outside (an external MCP server's), checked here for its shape only: regular
 * expressions (`pattern`, `patternProperties`, `propertyNames`), references (never fetched) and
 * formats go — the server checks them itself, and one pattern RE2 cannot compile (lookaround)
 * would otherwise cost the whole schema. What remains runs on the tenant Ajv (linear keywords).
 */
function withoutRegExps(schema: unknown, depth = 0): unknown {
  if (depth > 64) return {};
  if (Array.isArray(schema)) return schema.map((s) => withoutRegExps(s, depth + 1));
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'pattern' || k === 'patternProperties' || k === 'propertyNames' || k === '$ref' || k === '$dynamicRef' || k === '$id' || k === 'format') continue;
    if (k === 'enum' || k === 'const' || k === 'default' || k === 'examples' || k === 'required') out[k] = v; // data, not schemas
    else if ((k === 'properties' || k === '$defs' || k === 'definitions' || k === 'dependentSchemas') && v && typeof v === 'object' && !Array.isArray(v)) {
      // Names (a property may be called "pattern"), each mapped to a schema.
      out[k] = Object.fromEntries(Object.entries(v).map(([name, sub]) => [name, withoutRegExps(sub, depth + 1)]));
    } else out[k] = withoutRegExps(v, depth + 1);
  }
  return out;
}

/** A workspace's schema may be one Ajv refuses: such a tool takes any object and the server checks it. */
const tenantAjv = createTenantAjv({ useDefaults: true });
function compileLeniently(schema: Record<string, unknown>): ValidateFunction {
  try {
    return tenantAjv.compile(withoutRegExps(schema) as Record<string, unknown>);
  } catch {
    return tenantAjv.compile({ type: 'object' });
  }
}

const problems = (v: ValidateFunction) => (v.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '(input)'} ${e.message}`).join('; ');

export function createToolRegistry() {
  const tools = new Map<string, Compiled>();
  const sources: ToolSource[] = [];
  const compiledDynamic = new WeakMap<ToolDefinition, Compiled>();
  const sourceOf = (name: string) => sources.find((s) => name.startsWith(s.prefix)) ?? null;
  /** A tool by name for a workspace: the registry's own, or its source's (null when neither has it). */
  async function lookup(workspaceId: string, name: string): Promise<Compiled | null> {
    const own = tools.get(name);
    if (own) return own;
    const source = sourceOf(name);
    if (!source) return null;
    const def = (await source.load(workspaceId)).find((t) => t.name === name);
    if (!def) return null;
    let c = compiledDynamic.get(def);
    if (!c) {
      c = { def, input: compileLeniently(def.inputSchema), output: compileLeniently(def.outputSchema) };
      compiledDynamic.set(def, c);
    }
    return c;
  }
  const windows = new Map<string, { start: number; count: number }>();
  const calls = new Counter({ name: 'atrium_tool_calls_total', help: 'Tool calls by tool and outcome', labelNames: ['tool', 'outcome'], registers: [] });
  const latency = new Histogram({ name: 'atrium_tool_call_seconds', help: 'Tool call latency', labelNames: ['tool'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [] });
  const stats = new Map<string, { calls: number; errors: Record<string, number>; latencies: number[] }>();

  function record(name: string, outcome: string, ms: number) {
    // A workspace's own tools (chosen names) are counted under their source: no label per workspace's tool on /metrics.
    const source = sourceOf(name);
    if (source && !tools.has(name)) {
      calls.inc({ tool: `${source.prefix}*`, outcome });
      latency.observe({ tool: `${source.prefix}*` }, ms / 1000);
      return;
    }
    calls.inc({ tool: name, outcome });
    latency.observe({ tool: name }, ms / 1000);
    const s = stats.get(name) ?? { calls: 0, errors: {}, latencies: [] };
    s.calls++;
    if (outcome !== 'ok') s.errors[outcome] = (s.errors[outcome] ?? 0) + 1;
    s.latencies.push(ms);
    if (s.latencies.length > 1000) s.latencies.splice(0, s.latencies.length - 1000);
    stats.set(name, s);
  }

  function isRateLimited(def: ToolDefinition, workspaceId: string): boolean {
    const key = `${workspaceId}:${def.name}`;
    const now = Date.now();
    const w = windows.get(key);
    if (!w || now - w.start >= 60_000) {
      if (windows.size > 100_000) windows.clear();
      windows.set(key, { start: now, count: 1 });
      return false;
    }
    w.count++;
    return w.count > def.ratePerMinute;
  }

  async function once(c: Compiled, ctx: ToolContext, input: unknown): Promise<unknown> {
    const timeout = AbortSignal.timeout(c.def.timeoutMs);
    const signal = AbortSignal.any([ctx.signal, timeout]);
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error(`took longer than ${c.def.timeoutMs} ms`), { isTimeout: true })), c.def.timeoutMs);
    });
    try {
      return await Promise.race([c.def.run({ ...ctx, signal }, input as Record<string, unknown>), expired]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    register<I, O>(def: ToolDefinition<I, O>): void {
      if (tools.has(def.name)) throw new Error(`tool ${def.name} is registered twice`);
      tools.set(def.name, { def: def as unknown as ToolDefinition, input: ajv.compile(def.inputSchema), output: ajv.compile(def.outputSchema) });
    },
    list(): ToolDefinition[] {
      return [...tools.values()].map((c) => c.def).sort((a, b) => a.name.localeCompare(b.name));
    },
    get(name: string): ToolDefinition | null {
      return tools.get(name)?.def ?? null;
    },
    /** Add the tools of a workspace's own (external MCP servers): names under `source.prefix`. */
    addSource(source: ToolSource): void {
      if ([...tools.keys()].some((n) => n.startsWith(source.prefix))) throw new Error(`tool source ${source.prefix} overlaps registered tools`);
      sources.push(source);
    },
    /** The tools of a workspace: the registry's and its sources'. */
    async listFor(workspaceId: string): Promise<ToolDefinition[]> {
      const own = [...tools.values()].map((c) => c.def);
      const theirs = (await Promise.all(sources.map((s) => s.load(workspaceId)))).flat();
      return [...own, ...theirs].sort((a, b) => a.name.localeCompare(b.name));
    },
    /** The named tools a workspace has, in order (names it does not have are left out). Sources are asked only for names under their prefix. */
    async resolve(workspaceId: string, names: readonly string[]): Promise<ToolDefinition[]> {
      const found = await Promise.all(names.map((n) => (tools.has(n) ? tools.get(n)!.def : sourceOf(n) ? lookup(workspaceId, n).then((c) => c?.def ?? null) : null)));
      return found.filter((t) => t !== null);
    },
    /** Run a tool for a principal: never throws; the outcome says what happened. */
    async invoke(name: string, rawInput: unknown, ctx: ToolContext): Promise<ToolOutcome> {
      const started = performance.now();
      const done = (outcome: ToolOutcome, label: string): ToolOutcome => {
        record(name, label, outcome.ms);
        return outcome;
      };
      let c = tools.get(name) ?? null;
      if (!c && sourceOf(name)) {
        try {
          c = await lookup(ctx.workspaceId, name);
        } catch {
          return done({ ok: false, error: { code: 'TOOL_FAILED', message: `The tools of ${name.split('.').slice(0, 2).join('.')} could not be read` }, ms: Math.round(performance.now() - started) }, 'failed');
        }
      }
      if (!c) return { ok: false, error: { code: 'TOOL_UNKNOWN', message: `No tool named ${name}` }, ms: 0 };
      const ms = () => Math.round(performance.now() - started);
      const input = structuredClone(rawInput ?? {});
      if (!c.input(input)) return done({ ok: false, error: { code: 'TOOL_INPUT_INVALID', message: `Invalid input for ${name}: ${problems(c.input)}` }, ms: ms() }, 'input_invalid');
      if (!can(ctx.principal, c.def.permission)) {
        return done({ ok: false, error: { code: 'TOOL_FORBIDDEN', message: `${name} needs the permission ${c.def.permission}, which this run does not hold` }, ms: ms() }, 'forbidden');
      }
      if (isRateLimited(c.def, ctx.workspaceId)) return done({ ok: false, error: { code: 'TOOL_RATE_LIMITED', message: `${name} is limited to ${c.def.ratePerMinute} calls a minute per workspace` }, ms: ms() }, 'rate_limited');
      const attempts = c.def.isIdempotent ? 1 + c.def.retries : 1;
      let last: unknown;
      for (let attempt = 0; attempt < attempts; attempt++) {
        try {
          const output = await once(c, ctx, input);
          if (!c.output(output)) return done({ ok: false, error: { code: 'TOOL_OUTPUT_INVALID', message: `${name} answered outside its output schema: ${problems(c.output)}` }, ms: ms() }, 'output_invalid');
          return done({ ok: true, output, ms: ms() }, 'ok');
        } catch (err) {
          last = err;
          if ((err as { isTimeout?: boolean }).isTimeout) return done({ ok: false, error: { code: 'TOOL_TIMEOUT', message: `${name} ${(err as Error).message}` }, ms: ms() }, 'timeout');
          // A tool may find the input unusable beyond its schema (an unknown time zone): the caller's fault.
          if ((err as { isBadInput?: boolean }).isBadInput) return done({ ok: false, error: { code: 'TOOL_INPUT_INVALID', message: `${name}: ${(err as Error).message}` }, ms: ms() }, 'input_invalid');
          // A refusal of the platform (not found, forbidden, quota) is an answer, not a fault to retry.
          if (err instanceof AppError && err.status < 500) break;
          if ((err as ExplainedToolError).isExplained && !(err as ExplainedToolError).isRetryable) break;
          if (ctx.signal.aborted) break;
        }
      }
      const message = last instanceof AppError ? `${last.code}: ${last.detail ?? last.title}` : (last as ExplainedToolError).isExplained ? (last as Error).message : `${name} failed`;
      return done({ ok: false, error: { code: 'TOOL_FAILED', message }, ms: ms() }, 'failed');
    },
    registerMetrics(registry: Registry): void {
      registry.registerMetric(calls);
      registry.registerMetric(latency);
    },
    /** Per-tool calls, p50/p95 latency and errors by category, since this process started. */
    stats(): Array<{ name: string; calls: number; p50Ms: number | null; p95Ms: number | null; errors: Record<string, number> }> {
      return [...tools.keys()].map((name) => {
        const s = stats.get(name);
        const sorted = [...(s?.latencies ?? [])].sort((a, b) => a - b);
        const q = (p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null);
        return { name, calls: s?.calls ?? 0, p50Ms: q(0.5), p95Ms: q(0.95), errors: s?.errors ?? {} };
      });
    },
  };
}

export type ToolRegistry = ReturnType<typeof createToolRegistry>;
