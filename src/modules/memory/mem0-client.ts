// An external memory provider speaking Mem0's REST API (the hosted platform, or anything that
// answers the same routes): a project per workspace (created in the operator's organisation),
// memories added without an LLM pass (`infer: false`: Atrium remembers what it is told, as the
// built-in provider does), searched with filters by agent. Requests pass the outbound address
// guard (the workspace's setting allows private addresses: a self-hosted server on the LAN),
// time out after 10 s and read at most 1 MB. Authorisation: `Token <access key>`.
import { request } from 'undici';
import { createHash } from 'node:crypto';
import { checkUrlTarget, guardedDispatcher } from '../../kernel/net/public-address.ts';

export type Mem0Target = { baseUrl: string; orgId: string; projectId: string; accessKey: string; isPrivateAllowed: boolean };

export class Mem0Error extends Error {}

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 1024 * 1024;
/** Shared memories of the workspace are those of this Mem0 agent id; an agent's, its own id. */
export const SHARED_AGENT = 'workspace';

async function call(t: Omit<Mem0Target, 'projectId'>, method: 'GET' | 'POST', path: string, body?: unknown): Promise<unknown> {
  const url = `${t.baseUrl.replace(/\/+$/, '')}${path}`;
  const refusal = checkUrlTarget(url, { allowPrivate: t.isPrivateAllowed });
  if (refusal) throw new Mem0Error(`The provider URL ${refusal}`);
  let res;
  try {
    res = await request(url, {
      method, dispatcher: guardedDispatcher({ allowPrivate: t.isPrivateAllowed }), headersTimeout: TIMEOUT_MS, bodyTimeout: TIMEOUT_MS,
      headers: { authorization: `Token ${t.accessKey}`, accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  } catch (err) {
    const code = (err as { code?: string }).code ?? 'network error';
    throw new Mem0Error(code === 'ENONPUBLIC' ? (err as Error).message : `${new URL(url).origin} could not be reached (${code})`);
  }
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length;
    if (size > MAX_BYTES) {
      res.body.destroy();
      throw new Mem0Error('The provider answered more than 1 MB');
    }
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (res.statusCode === 401 || res.statusCode === 403) throw new Mem0Error(`The provider refused the access key (HTTP ${res.statusCode})`);
  if (res.statusCode >= 400) throw new Mem0Error(`The provider answered HTTP ${res.statusCode}${text ? `: ${text.replace(/\s+/g, ' ').slice(0, 300)}` : ''}`);
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    throw new Mem0Error('The provider answered something other than JSON');
  }
}

const scope = (t: Mem0Target) => ({ org_id: t.orgId, project_id: t.projectId });

/** Create the workspace's project in the organisation: its id. */
export async function createProject(t: Omit<Mem0Target, 'projectId'>, name: string): Promise<string> {
  const answer = await call(t, 'POST', `/api/v1/orgs/organizations/${encodeURIComponent(t.orgId)}/projects/`, { name });
  const id = (answer as { project_id?: unknown } | null)?.project_id;
  if (typeof id !== 'string' || !id) throw new Mem0Error('The provider created no project (no project_id in its answer)');
  return id;
}

/** Is the project there, and does the key open it? */
export async function checkProject(t: Mem0Target): Promise<void> {
  await call(t, 'GET', `/api/v1/orgs/organizations/${encodeURIComponent(t.orgId)}/projects/${encodeURIComponent(t.projectId)}/`);
}

type Mem0Memory = { id?: unknown; memory?: unknown; score?: unknown; metadata?: unknown; created_at?: unknown; updated_at?: unknown; agent_id?: unknown };
const listOf = (answer: unknown): Mem0Memory[] => (Array.isArray(answer) ? answer : Array.isArray((answer as { results?: unknown })?.results) ? (answer as { results: Mem0Memory[] }).results : []) as Mem0Memory[];

/** The provider's ids are UUIDs; anything else is mapped to a stable UUID (Atrium's API speaks UUIDs). */
export function uuidOf(id: unknown): string {
  const text = String(id ?? '');
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(text)) return text.toLowerCase();
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export type ExternalMemory = { id: string; text: string; agentId: string | null; tags: string[]; metadata: Record<string, unknown>; createdAt: string; updatedAt: string; score: number };

function toExternal(m: Mem0Memory, agentId: string | null): ExternalMemory {
  const metadata = m.metadata && typeof m.metadata === 'object' && !Array.isArray(m.metadata) ? { ...(m.metadata as Record<string, unknown>) } : {};
  const tags = Array.isArray(metadata.tags) ? (metadata.tags as unknown[]).filter((t): t is string => typeof t === 'string') : [];
  delete metadata.tags;
  const at = (v: unknown) => (typeof v === 'string' && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : new Date(0).toISOString());
  return {
    id: uuidOf(m.id), text: typeof m.memory === 'string' ? m.memory : '', agentId: m.agent_id === SHARED_AGENT ? null : agentId,
    tags, metadata, createdAt: at(m.created_at), updatedAt: at(m.updated_at ?? m.created_at), score: typeof m.score === 'number' && Number.isFinite(m.score) ? m.score : 0,
  };
}

/** Add one memory as told (no extraction): the provider's record of it. */
export async function addMemory(t: Mem0Target, input: { text: string; agentId: string | null; tags: string[]; metadata: Record<string, unknown> }): Promise<ExternalMemory> {
  const answer = await call(t, 'POST', '/v1/memories/', {
    messages: [{ role: 'user', content: input.text }], agent_id: input.agentId ?? SHARED_AGENT, infer: false,
    metadata: { ...input.metadata, tags: input.tags }, ...scope(t),
  });
  const first = listOf(answer)[0];
  const now = new Date().toISOString();
  return { id: uuidOf(first?.id ?? `${now}:${input.text}`), text: input.text, agentId: input.agentId, tags: input.tags, metadata: input.metadata, createdAt: now, updatedAt: now, score: 0 };
}

/** The memories closest to a query among the agent's and the shared ones (or the shared ones), every tag required. */
export async function searchMemories(t: Mem0Target, input: { query: string; agentId: string | null; tags: string[]; limit: number }): Promise<ExternalMemory[]> {
  const agents = input.agentId ? [input.agentId, SHARED_AGENT] : [SHARED_AGENT];
  const answer = await call(t, 'POST', '/v2/memories/search/', {
    query: input.query, filters: { AND: [{ agent_id: { in: agents } }] }, top_k: input.tags.length ? Math.min(100, input.limit * 4) : input.limit, ...scope(t),
  });
  return listOf(answer)
    .map((m) => toExternal(m, input.agentId))
    .filter((m) => m.text && input.tags.every((tag) => m.tags.includes(tag)))
    .slice(0, input.limit);
}
