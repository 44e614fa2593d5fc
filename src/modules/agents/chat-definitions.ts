// What a chat runs (the published version, or the draft), kept per process so that a turn does
// not open a transaction of its own to read it. Never trusted blindly: the run's opening
// transaction checks, in the same round trip as its first writes, that the agent's row is the
// one the cache read (its `updated_at`, moved by every edit and publish) and that the thread
// belongs to the agent; when it is not, the run reads the agent again and starts over, so an
// edit in another process is never missed.
import { can } from '../access/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { AgentsContext } from './agents.context.ts';
import type { AgentConfig } from './agents.schema.ts';
import { agentsErrors } from './agents.errors.ts';
import { selectAgent } from './agents.store.ts';

type Entry = { stamp: string; draft: AgentConfig; version: number | null; published: AgentConfig | null; until: number };

/**
 * Entries kept at most; past it the cache starts again (as the other per-process caches). An
 * entry holds two configurations (a prompt is at most 20,000 characters): ~80 MB at worst.
 */
const MAX_ENTRIES = 1000;
/** An unused entry is forgotten after this long (it is checked on every use anyway). */
const TTL_MS = 60_000;

/** What a run takes: the version and configuration, and, when they came from the cache, what the run checks (RunInput.cached). */
export type ChatDefinition = {
  version: number | null;
  config: AgentConfig;
  cached?: { stamp: string; reload: () => Promise<{ version: number | null; config: AgentConfig }> };
};

/** What the chat asked for. Whether its thread is the agent's is checked by the run itself (run-agent.ts), cache or not. */
export type ChatRequest = { useDraft?: boolean };

export function createChatDefinitions(ctx: Pick<AgentsContext, 'db'>) {
  const entries = new Map<string, Entry>();

  function pick(principal: Principal, e: Pick<Entry, 'draft' | 'version' | 'published'>, input: ChatRequest): { version: number | null; config: AgentConfig } {
    if (input.useDraft) {
      if (!can(principal, 'agent.manage')) throw agentsErrors.create('AGENT_NOT_PUBLISHED', 'Running the draft needs agent.manage');
      return { version: null, config: e.draft };
    }
    if (e.version === null || !e.published) throw agentsErrors.create('AGENT_NOT_PUBLISHED', 'Publish the agent first (or run the draft with useDraft)');
    return { version: e.version, config: e.published };
  }

  /** Read from the database (its own transaction); the cache refreshed. */
  async function load(principal: Principal, agentId: string, input: ChatRequest): Promise<{ version: number | null; config: AgentConfig }> {
    const ws = principal.workspaceId;
    const row = await ctx.db.withWorkspace(ws, (tx) => selectAgent(tx, ws, agentId));
    if (!row) throw agentsErrors.create('AGENT_NOT_FOUND');
    const entry = { stamp: row.stamp, draft: row.draft, version: row.published_version, published: row.published_config, until: Date.now() + TTL_MS };
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(`${ws}:${agentId}`, entry);
    return pick(principal, entry, input);
  }

  return {
    /** From the cache when this process has read the agent lately (the run then checks it and reloads it if it changed), else read now. */
    async get(principal: Principal, agentId: string, input: ChatRequest): Promise<ChatDefinition> {
      const entry = entries.get(`${principal.workspaceId}:${agentId}`);
      if (!entry || entry.until < Date.now()) return load(principal, agentId, input);
      try {
        return { ...pick(principal, entry, input), cached: { stamp: entry.stamp, reload: () => load(principal, agentId, input) } };
      } catch {
        return load(principal, agentId, input); // a refusal is never made on a copy (it may have been published since)
      }
    },
    forget(workspaceId: string, agentId: string): void {
      entries.delete(`${workspaceId}:${agentId}`);
    },
  };
}

export type ChatDefinitions = ReturnType<typeof createChatDefinitions>;
