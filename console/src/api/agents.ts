// Agents and memory: definitions (draft, publish), chat (streamed Server-Sent Events), threads,
// runs, logs, the tool registry; the workspace's and each agent's memories. Types generated from
// the server's OpenAPI document.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fetchWithSession } from './client.ts';
import { keys } from './keys.ts';
import { readEvents } from './sse.ts';
import type { BodyOf, QueryOf, ResponseOf } from './contract.ts';
import { useSession } from '../auth/session.tsx';

export type Agent = ResponseOf<'/api/v1/agents/{id}', 'get'>;
export type AgentConfig = Agent['draft'];
export type NewAgent = BodyOf<'/api/v1/agents', 'post'>;
export type AgentPatch = BodyOf<'/api/v1/agents/{id}', 'patch'>;
export type Run = ResponseOf<'/api/v1/agents/{id}/runs/{runId}', 'get'>;
export type Thread = ResponseOf<'/api/v1/agents/{id}/threads', 'get'>['data'][number];
export type ThreadMessage = ResponseOf<'/api/v1/agents/{id}/threads/{threadId}', 'get'>['data'][number];
export type AgentLog = ResponseOf<'/api/v1/agents/{id}/logs', 'get'>['data'][number];
export type AgentLogQuery = QueryOf<'/api/v1/agents/{id}/logs', 'get'>;
export type ToolInfo = ResponseOf<'/api/v1/agents/tools', 'get'>['data'][number];
export type Memory = ResponseOf<'/api/v1/memories', 'get'>['data'][number];
export type RecalledMemory = ResponseOf<'/api/v1/agents/{id}/recall', 'get'>['data'][number];
export type MemoryQuota = ResponseOf<'/api/v1/memories/quota', 'get'>;
export type RememberBody = BodyOf<'/api/v1/agents/{id}/remember', 'post'>;

function useWs() {
  return useSession().me.workspace.id;
}

const e = encodeURIComponent;

export function useAgents() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents'), queryFn: ({ signal }) => api.get<{ data: Agent[] }>('/agents', undefined, { signal }).then((r) => r.data) });
}

export function useAgent(id: string) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', id), queryFn: ({ signal }) => api.get<Agent>(`/agents/${e(id)}`, undefined, { signal }) });
}

export function useTools() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', 'tools'), queryFn: ({ signal }) => api.get<{ data: ToolInfo[] }>('/agents/tools', undefined, { signal }).then((r) => r.data) });
}

function useInvalidateAgents() {
  const ws = useWs();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'agents') });
}

export function useCreateAgent() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (body: NewAgent) => api.post<Agent>('/agents', body), onSuccess: invalidate });
}

export function useUpdateAgent(id: string) {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (body: AgentPatch) => api.patch<Agent>(`/agents/${e(id)}`, body), onSuccess: invalidate });
}

export function usePublishAgent(id: string) {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: () => api.post<Agent>(`/agents/${e(id)}/publish`), onSuccess: invalidate });
}

export function useDeleteAgent() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (id: string) => api.delete(`/agents/${e(id)}`), onSuccess: invalidate });
}

export function useThreads(id: string) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', id, 'threads'), queryFn: ({ signal }) => api.get<{ data: Thread[] }>(`/agents/${e(id)}/threads`, undefined, { signal }).then((r) => r.data) });
}

export function useThreadMessages(id: string, threadId: string | null) {
  const ws = useWs();
  return useQuery({
    queryKey: keys.workspace(ws, 'agents', id, 'threads', threadId ?? ''),
    queryFn: ({ signal }) => api.get<{ data: ThreadMessage[] }>(`/agents/${e(id)}/threads/${e(threadId!)}`, undefined, { signal }).then((r) => r.data),
    enabled: threadId !== null,
  });
}

export function useRuns(id: string) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', id, 'runs'), queryFn: ({ signal }) => api.get<{ data: Run[] }>(`/agents/${e(id)}/runs`, undefined, { signal }).then((r) => r.data) });
}

export function useAgentLogs(id: string, query: AgentLogQuery) {
  const ws = useWs();
  return useQuery({
    queryKey: keys.workspace(ws, 'agents', id, 'logs', JSON.stringify(query)),
    queryFn: ({ signal }) => api.get<{ data: AgentLog[] }>(`/agents/${e(id)}/logs`, query as Record<string, string>, { signal }).then((r) => r.data),
    refetchInterval: 3_000,
  });
}

export function useClearLogs(id: string) {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: () => api.delete<{ deleted: number }>(`/agents/${e(id)}/logs`), onSuccess: invalidate });
}

export function useAgentMemories(id: string, search: string, options: { enabled?: boolean } = {}) {
  const ws = useWs();
  return useQuery({
    enabled: options.enabled ?? true,
    queryKey: keys.workspace(ws, 'memory', id, search),
    queryFn: ({ signal }) => (search.trim()
      ? api.get<{ data: RecalledMemory[] }>(`/agents/${e(id)}/recall`, { query: search.trim(), limit: 20 }, { signal }).then((r) => r.data)
      : api.get<{ data: Memory[] }>(`/agents/${e(id)}/memories`, { limit: 100 }, { signal }).then((r) => r.data)),
  });
}

export function useMemoryQuota(options: { enabled?: boolean } = {}) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'memory', 'quota'), queryFn: ({ signal }) => api.get<MemoryQuota>('/memories/quota', undefined, { signal }), enabled: options.enabled ?? true });
}

export function useRemember(agentId: string) {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: RememberBody) => api.post<Memory & { isMerged: boolean }>(`/agents/${e(agentId)}/remember`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'memory') }),
  });
}

export function useForgetMemory() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({ mutationFn: (id: string) => api.delete(`/memories/${e(id)}`), onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'memory') }) });
}

export type RunEvent =
  | { type: 'run'; runId: string; threadId: string; version: number | null }
  | { type: 'memory_recall'; count: number; memories: Array<{ id: string; text: string; score: number }> }
  | { type: 'token'; text: string }
  | { type: 'tool_call'; callId: string; tool: string; input: unknown }
  | { type: 'tool_result'; callId: string; tool: string; ok: boolean; output?: unknown; error?: { code: string; message: string } }
  | { type: 'confirm_required'; callId: string; tool: string; input: unknown }
  | { type: 'message'; text: string }
  | { type: 'done'; run: Run }
  | { type: 'error'; code: string; message: string };

/** Chat with an agent, streamed: each Server-Sent Event as it comes. */
export async function streamAgentChat(agentId: string, body: { message: string; threadId?: string; useDraft?: boolean }, onEvent: (e: RunEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetchWithSession(`/api/v1/agents/${e(agentId)}/chat`, { method: 'POST', signal, body: { ...body, stream: true } });
  await readEvents(res, (type, data) => {
    if (type) onEvent({ ...(JSON.parse(data) as object), type } as RunEvent);
  });
}

export type AgentWebhook = ResponseOf<'/api/v1/agents/{id}/webhook', 'get'>;
export type AgentWebhookBody = BodyOf<'/api/v1/agents/{id}/webhook', 'put'>;

export function useAgentWebhook(id: string) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', id, 'webhook'), queryFn: ({ signal }) => api.get<AgentWebhook>(`/agents/${e(id)}/webhook`, undefined, { signal }) });
}

export function useSetAgentWebhook(id: string) {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (body: AgentWebhookBody) => api.put<AgentWebhook>(`/agents/${e(id)}/webhook`, body), onSuccess: invalidate });
}

export function useRotateAgentWebhookSecret(id: string) {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: () => api.post<AgentWebhook>(`/agents/${e(id)}/webhook/rotate-secret`, {}), onSuccess: invalidate });
}

export function useRemoveAgentWebhook() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (id: string) => api.delete(`/agents/${e(id)}/webhook`), onSuccess: invalidate });
}

export type AssistantChatBody = BodyOf<'/api/v1/assistant/chat', 'post'>;

/** Chat with the console assistant, streamed (it acts as you; `confirm_required` asks before a change). */
export async function streamAssistantChat(body: AssistantChatBody, onEvent: (e: RunEvent) => void, signal: AbortSignal): Promise<void> {
  const res = await fetchWithSession('/api/v1/assistant/chat', { method: 'POST', signal, body: { ...body, stream: true } });
  if (!res.ok) {
    const problem = (await res.json().catch(() => ({}))) as { code?: string; detail?: string; title?: string };
    onEvent({ type: 'error', code: problem.code ?? 'ASSISTANT_FAILED', message: problem.detail ?? problem.title ?? `The assistant answered ${res.status}` });
    return;
  }
  await readEvents(res, (type, data) => {
    if (type) onEvent({ ...(JSON.parse(data) as object), type } as RunEvent);
  });
}

// External MCP servers (tool sources): their tools join the registry's as mcp.<server>.<tool>.
export type McpServer = ResponseOf<'/api/v1/mcp/servers/{id}', 'get'>;
export type NewMcpServer = BodyOf<'/api/v1/mcp/servers', 'post'>;
export type McpServerPatch = BodyOf<'/api/v1/mcp/servers/{id}', 'patch'>;

export function useMcpServers() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', 'mcp-servers'), queryFn: ({ signal }) => api.get<{ data: McpServer[] }>('/mcp/servers', undefined, { signal }).then((r) => r.data) });
}

export function useAddMcpServer() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (body: NewMcpServer) => api.post<McpServer>('/mcp/servers', body), onSuccess: invalidate });
}

export function useChangeMcpServer() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: ({ id, patch }: { id: string; patch: McpServerPatch }) => api.patch<McpServer>(`/mcp/servers/${e(id)}`, patch), onSuccess: invalidate });
}

export function useRefreshMcpServer() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (id: string) => api.post<McpServer>(`/mcp/servers/${e(id)}/refresh`, {}), onSuccess: invalidate });
}

export function useRemoveMcpServer() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (server: McpServer) => api.delete(`/mcp/servers/${e(server.id)}`), onSuccess: invalidate });
}

// The workspace's memory space: built in, or a Mem0-compatible provider's project.
export type MemorySpace = ResponseOf<'/api/v1/memories/space', 'get'>;

export function useMemorySpace() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'agents', 'memory-space'), queryFn: ({ signal }) => api.get<MemorySpace>('/memories/space', undefined, { signal }) });
}

export function useCheckMemorySpace() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: () => api.post<MemorySpace>('/memories/space/check', {}), onSuccess: invalidate });
}

export type MemorySpaceBody = BodyOf<'/api/v1/memories/space', 'put'>;

export function useConfigureMemorySpace() {
  const invalidate = useInvalidateAgents();
  return useMutation({ mutationFn: (body: MemorySpaceBody) => api.put<MemorySpace>('/memories/space', body), onSuccess: invalidate });
}
