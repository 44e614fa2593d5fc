// The AI gateway and the usage ledger: providers, aliases, the models the workspace can call,
// a chat call (streamed) for the playground, quotas, alerts, analytics. Types generated from
// the server's OpenAPI document.
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, fetchWithSession } from './client.ts';
import { keys } from './keys.ts';
import { readEvents } from './sse.ts';
import type { BodyOf, QueryOf, ResponseOf } from './contract.ts';
import { useSession } from '../auth/session.tsx';

export type Provider = ResponseOf<'/api/v1/llm/providers/{id}', 'get'>;
export type NewProvider = BodyOf<'/api/v1/llm/providers', 'post'>;
export type ProviderTest = ResponseOf<'/api/v1/llm/providers/{id}/test', 'post'>;
export type Alias = ResponseOf<'/api/v1/llm/aliases', 'get'>['data'][number];
export type AliasBody = BodyOf<'/api/v1/llm/aliases/{name}', 'put'>;
export type Quotas = ResponseOf<'/api/v1/usage/quotas', 'get'>;
export type Quota = Quotas['quotas'][number];
export type QuotaBody = BodyOf<'/api/v1/usage/quotas', 'put'>;
export type UsageAlert = ResponseOf<'/api/v1/usage/alerts', 'get'>['data'][number];
export type UsageSummary = ResponseOf<'/api/v1/usage/summary', 'get'>;
export type UsageSummaryQuery = QueryOf<'/api/v1/usage/summary', 'get'>;
export type UsageEvent = ResponseOf<'/api/v1/usage/events', 'get'>['data'][number];

function useWs() {
  return useSession().me.workspace.id;
}

export function useProviders() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'llm', 'providers'), queryFn: ({ signal }) => api.get<{ data: Provider[] }>('/llm/providers', undefined, { signal }).then((r) => r.data) });
}

export function useCreateProvider() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: NewProvider) => api.post<Provider>('/llm/providers', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'llm') }),
  });
}

export function useDeleteProvider() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/llm/providers/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'llm') }),
  });
}

export function useTestProvider() {
  return useMutation({ mutationFn: (id: string) => api.post<ProviderTest>(`/llm/providers/${encodeURIComponent(id)}/test`) });
}

export function useProviderModels(id: string | null) {
  const ws = useWs();
  return useQuery({
    queryKey: keys.workspace(ws, 'llm', 'provider-models', id ?? ''),
    queryFn: ({ signal }) => api.get<{ data: string[] }>(`/llm/providers/${encodeURIComponent(id!)}/models`, undefined, { signal }).then((r) => r.data),
    enabled: id !== null,
    retry: false,
  });
}

export function useAliases() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'llm', 'aliases'), queryFn: ({ signal }) => api.get<{ data: Alias[] }>('/llm/aliases', undefined, { signal }).then((r) => r.data) });
}

export function usePutAlias() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ name, body }: { name: string; body: AliasBody }) => api.put<Alias>(`/llm/aliases/${encodeURIComponent(name)}`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'llm') }),
  });
}

export function useDeleteAlias() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api.delete(`/llm/aliases/${encodeURIComponent(name)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'llm') }),
  });
}

/** What the workspace can call (GET /v1/models): aliases and each provider's models. */
export function useCallableModels() {
  const ws = useWs();
  return useQuery({
    queryKey: keys.workspace(ws, 'llm', 'callable'),
    queryFn: async ({ signal }) => {
      const res = await fetchWithSession('/v1/models', { method: 'GET', signal });
      return ((await res.json()) as { data: Array<{ id: string; owned_by: string }> }).data;
    },
  });
}

export type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };
export type ChatResult = { text: string; requestId: string | null; usage: { promptTokens: number; completionTokens: number } | null };

/** A streamed chat completion through the gateway, as any OpenAI client would make it. */
export async function streamChat(model: string, messages: ChatMessage[], onText: (text: string) => void, signal: AbortSignal): Promise<ChatResult> {
  const res = await fetchWithSession('/v1/chat/completions', { method: 'POST', signal, body: { model, messages, stream: true, stream_options: { include_usage: true } } });
  const requestId = res.headers.get('x-request-id');
  let text = '';
  let usage: ChatResult['usage'] = null;
  await readEvents(res, (_event, data) => {
    if (data === '[DONE]') return;
    const chunk = JSON.parse(data) as { error?: { message: string }; choices?: Array<{ delta?: { content?: string } }>; usage?: { prompt_tokens: number; completion_tokens: number } };
    if (chunk.error) throw new Error(chunk.error.message);
    const delta = chunk.choices?.[0]?.delta?.content;
    if (delta) {
      text += delta;
      onText(text);
    }
    if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
  });
  return { text, requestId, usage };
}

/** The usage event the ledger recorded for one call (its x-request-id). */
export async function usageEventOf(requestId: string): Promise<UsageEvent | null> {
  const page = await api.get<{ data: UsageEvent[] }>('/usage/events', { requestId, limit: 1 });
  return page.data[0] ?? null;
}

export function useQuotas() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'usage', 'quotas'), queryFn: ({ signal }) => api.get<Quotas>('/usage/quotas', undefined, { signal }), refetchInterval: 30_000 });
}

export function useSetQuota() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: QuotaBody) => api.put<Quotas>('/usage/quotas', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'usage') }),
  });
}

/** A workspace's AI limits as a platform admin sees them (any limit, above the plan). */
export function useAdminQuotas(workspaceId: string) {
  return useQuery({ queryKey: keys.admin('workspace', workspaceId, 'quotas'), queryFn: ({ signal }) => api.get<Quotas>(`/admin/workspaces/${workspaceId}/quotas`, undefined, { signal }) });
}

export function useSetAdminQuota(workspaceId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: QuotaBody) => api.put<Quotas>(`/admin/workspaces/${workspaceId}/quotas`, body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.admin('workspace', workspaceId, 'quotas') }),
  });
}

export function useUsageAlerts() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'usage', 'alerts'), queryFn: ({ signal }) => api.get<{ data: UsageAlert[] }>('/usage/alerts', { limit: 50 }, { signal }).then((r) => r.data) });
}

/** Usage sums of this workspace, or (scope 'platform', platform admins) of every workspace. */
export function useUsageSummary(query: UsageSummaryQuery, scope: 'workspace' | 'platform' = 'workspace', isEnabled = true) {
  const ws = useWs();
  return useQuery({
    enabled: isEnabled,
    queryKey: scope === 'platform' ? keys.admin('usage', 'summary', JSON.stringify(query)) : keys.workspace(ws, 'usage', 'summary', JSON.stringify(query)),
    queryFn: ({ signal }) => api.get<UsageSummary>(scope === 'platform' ? '/admin/usage/summary' : '/usage/summary', query as Record<string, string>, { signal }),
    placeholderData: keepPreviousData,
  });
}

/** Micro-units of USD as money: sub-cent amounts keep their digits ($0.000450). */
export function formatUsd(micros: number | null): string {
  if (micros === null) return 'unpriced';
  const dollars = micros / 1_000_000;
  if (micros !== 0 && Math.abs(dollars) < 0.01) return `$${dollars.toFixed(6)}`;
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(dollars);
}

// The operator's side (platform admins): providers every workspace may use, and the price catalogue.
export type PlatformProviderBody = BodyOf<'/api/v1/admin/llm/providers', 'post'>;
export type CataloguePrice = ResponseOf<'/api/v1/admin/llm/prices', 'get'>['data'][number];
export type CataloguePriceBody = BodyOf<'/api/v1/admin/llm/prices', 'post'>;

export function usePlatformProviders() {
  return useQuery({ queryKey: keys.admin('llm', 'providers'), queryFn: ({ signal }) => api.get<{ data: Provider[] }>('/admin/llm/providers', undefined, { signal }).then((r) => r.data) });
}

export function useCreatePlatformProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: PlatformProviderBody) => api.post<Provider>('/admin/llm/providers', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.admin('llm', 'providers') }),
  });
}

export function useDeletePlatformProvider() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api.delete(`/admin/llm/providers/${encodeURIComponent(id)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.admin('llm', 'providers') }),
  });
}

export function useTestPlatformProvider() {
  return useMutation({ mutationFn: (id: string) => api.post<ProviderTest>(`/admin/llm/providers/${encodeURIComponent(id)}/test`) });
}

export function useCataloguePrices() {
  return useQuery({ queryKey: keys.admin('llm', 'prices'), queryFn: ({ signal }) => api.get<{ data: CataloguePrice[] }>('/admin/llm/prices', undefined, { signal }).then((r) => r.data) });
}

export function useAddCataloguePrice() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: CataloguePriceBody) => api.post<CataloguePrice>('/admin/llm/prices', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.admin('llm', 'prices') }),
  });
}
