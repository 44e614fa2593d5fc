// A Mem0-compatible memory provider for tests: its documented routes (projects in an
// organisation, v1 add, v2 search), the access key checked as `Token <key>`; a word-overlap
// score stands in for embeddings.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

type Stored = { id: string; memory: string; agent_id: string; metadata: Record<string, unknown>; project_id: string; created_at: string };

/** Mem0's routes as documented: projects in an organisation, v1 add, v2 search (a word-overlap score stands in for embeddings). */
export async function startFakeMem0(key: string) {
  const state = { key, projects: new Map<string, string>(), memories: [] as Stored[], requests: [] as Array<{ method: string; path: string; body: Record<string, unknown> }> };
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = (chunks.length ? JSON.parse(Buffer.concat(chunks).toString()) : {}) as Record<string, unknown>;
    const path = req.url ?? '';
    state.requests.push({ method: req.method ?? '', path, body });
    const send = (status: number, answer: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    if (req.headers.authorization !== `Token ${state.key}`) return send(401, { detail: 'Invalid API key' });
    let m = /^\/api\/v1\/orgs\/organizations\/([^/]+)\/projects\/$/.exec(path);
    if (m && req.method === 'POST') {
      const id = `proj-${state.projects.size + 1}-${m[1]}`;
      state.projects.set(id, String(body.name));
      return send(200, { message: 'Project created successfully.', project_id: id });
    }
    m = /^\/api\/v1\/orgs\/organizations\/([^/]+)\/projects\/([^/]+)\/$/.exec(path);
    if (m && req.method === 'GET') return state.projects.has(m[2]) ? send(200, { project_id: m[2], name: state.projects.get(m[2]) }) : send(404, { detail: 'Not found' });
    if (path === '/v1/memories/' && req.method === 'POST') {
      const text = (body.messages as Array<{ content: string }>)[0].content;
      const stored: Stored = { id: crypto.randomUUID(), memory: text, agent_id: String(body.agent_id), metadata: body.metadata as Record<string, unknown>, project_id: String(body.project_id), created_at: new Date().toISOString() };
      state.memories.push(stored);
      return send(200, [{ id: stored.id, memory: text, event: 'ADD' }]);
    }
    if (path === '/v2/memories/search/' && req.method === 'POST') {
      const agents = ((body.filters as { AND: Array<{ agent_id: { in: string[] } }> }).AND[0].agent_id.in);
      const words = new Set(String(body.query).toLowerCase().split(/\W+/).filter(Boolean));
      const found = state.memories
        .filter((s) => s.project_id === body.project_id && agents.includes(s.agent_id))
        .map((s) => ({ ...s, score: s.memory.toLowerCase().split(/\W+/).filter((w) => words.has(w)).length / words.size }))
        .filter((s) => s.score > 0)
        .sort((x, y) => y.score - x.score)
        .slice(0, Number(body.top_k));
      return send(200, found);
    }
    return send(404, { detail: 'Not found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, state, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

export type FakeMem0 = Awaited<ReturnType<typeof startFakeMem0>>;
