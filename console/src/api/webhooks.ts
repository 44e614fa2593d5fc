// Webhooks of the current workspace: inbound endpoints (with their received deliveries) and
// outbound event subscriptions (with deliveries and attempts). Secrets come back only from
// create and rotate, once; no read returns one.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api, getAllPages, request } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

type Page<T> = { data: T[]; nextCursor: string | null };

export type WebhookEndpoint = {
  id: string; name: string; description: string; workflowId: string | null; isOrdered: boolean; isEnabled: boolean; url: string;
  hasPreviousSecret: boolean; previousSecretExpiresAt: string | null; secretRotatedAt: string | null; createdBy: string | null; createdAt: string; updatedAt: string;
};
export type InboundDelivery = {
  id: string; endpointId: string; webhookId: string; webhookTimestamp: string; receivedAt: string; outcome: 'accepted' | 'failed';
  responseStatus: number; executionId: string | null; error: string | null; contentType: string | null; bodyBytes: number; replayCount: number;
};
export type InboundDeliveryDetail = InboundDelivery & { headers: Record<string, string>; body: string; responseBody: unknown; replays: Array<{ replayId: string; outcome: string; executionId: string | null; error: string | null; createdAt: string }> };
export type EventSubscription = {
  id: string; url: string; eventTypes: string[]; description: string; isEnabled: boolean; consecutiveFailures: number; disabledAt: string | null;
  disabledReason: string | null; hasPreviousSecret: boolean; previousSecretExpiresAt: string | null; secretRotatedAt: string | null; createdAt: string; updatedAt: string;
};
export type OutboundDelivery = {
  id: string; subscriptionId: string; eventId: string; eventType: string; kind: 'event' | 'test'; status: 'pending' | 'succeeded' | 'failed';
  attemptCount: number; lastStatusCode: number | null; lastError: string | null; createdAt: string; updatedAt: string; deliveredAt: string | null;
};
export type Attempt = { id: string; attempt: number; trigger: 'automatic' | 'manual'; startedAt: string; durationMs: number; statusCode: number | null; isSuccess: boolean; responseExcerpt: string | null; error: string | null };
export type OutboundDeliveryDetail = OutboundDelivery & { body: string; attempts: Attempt[] };
export type EventType = { type: string; description: string };
export type WithSecret<T> = T & { secret: string };
export type RotatedSecret = { secret: string; previousSecretExpiresAt: string | null };
export type ReplaySummary = { replayId: string; total: number; replayed: number; skipped: number; failed: number; remaining: number };

const POLL_MS = 3000;

function useInvalidate() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'webhooks') });
}

export function useWebhookEndpoints() {
  const { workspaceId } = useSession();
  return useQuery({ queryKey: keys.workspace(workspaceId, 'webhooks', 'endpoints'), queryFn: ({ signal }) => getAllPages<WebhookEndpoint>('/webhook-endpoints', signal) });
}

export function useInboundDeliveries(endpointId: string | null) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'webhooks', 'endpoint-deliveries', endpointId ?? undefined),
    queryFn: ({ signal }) => request<Page<InboundDelivery>>(`/webhook-endpoints/${endpointId}/deliveries`, { query: { limit: 50 }, signal }),
    enabled: endpointId !== null,
    refetchInterval: POLL_MS,
  });
}

export function useInboundDelivery(endpointId: string, id: string | null) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'webhooks', 'endpoint-delivery', id ?? undefined),
    queryFn: ({ signal }) => request<InboundDeliveryDetail>(`/webhook-endpoints/${endpointId}/deliveries/${id}`, { signal }),
    enabled: id !== null,
  });
}

export function useCreateEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { name: string; description?: string; workflowId?: string | null; isOrdered?: boolean }) => api.post<WithSecret<WebhookEndpoint>>('/webhook-endpoints', body),
    onSuccess: invalidate,
  });
}

export function useUpdateEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; isEnabled?: boolean; isOrdered?: boolean; name?: string }) => request<WebhookEndpoint>(`/webhook-endpoints/${id}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.delete(`/webhook-endpoints/${id}`), onSettled: invalidate });
}

export function useRotateEndpointSecret() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.post<RotatedSecret>(`/webhook-endpoints/${id}/rotate-secret`, {}), onSuccess: invalidate });
}

export function useReplayEndpoint() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: ({ id, since }: { id: string; since: string }) => api.post<ReplaySummary>(`/webhook-endpoints/${id}/replay`, { since }), onSuccess: invalidate });
}

export function useEventTypes() {
  const { workspaceId } = useSession();
  return useQuery({ queryKey: keys.workspace(workspaceId, 'webhooks', 'event-types'), queryFn: ({ signal }) => request<{ data: EventType[] }>('/event-types', { signal }) });
}

export function useSubscriptions() {
  const { workspaceId } = useSession();
  return useQuery({ queryKey: keys.workspace(workspaceId, 'webhooks', 'subscriptions'), queryFn: ({ signal }) => getAllPages<EventSubscription>('/event-subscriptions', signal) });
}

export function useOutboundDeliveries(subscriptionId: string | null) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'webhooks', 'subscription-deliveries', subscriptionId ?? undefined),
    queryFn: ({ signal }) => request<Page<OutboundDelivery>>(`/event-subscriptions/${subscriptionId}/deliveries`, { query: { limit: 50 }, signal }),
    enabled: subscriptionId !== null,
    refetchInterval: POLL_MS,
  });
}

export function useOutboundDelivery(id: string | null) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'webhooks', 'delivery', id ?? undefined),
    queryFn: ({ signal }) => request<OutboundDeliveryDetail>(`/webhook-deliveries/${id}`, { signal }),
    enabled: id !== null,
    refetchInterval: (query) => (query.state.data?.status === 'pending' ? 1000 : false),
  });
}

export function useCreateSubscription() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { url: string; eventTypes: string[]; description?: string }) => api.post<WithSecret<EventSubscription>>('/event-subscriptions', body),
    onSuccess: invalidate,
  });
}

export function useUpdateSubscription() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: ({ id, ...body }: { id: string; isEnabled?: boolean }) => request<EventSubscription>(`/event-subscriptions/${id}`, { method: 'PATCH', body }),
    onSuccess: invalidate,
  });
}

export function useDeleteSubscription() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.delete(`/event-subscriptions/${id}`), onSettled: invalidate });
}

export function useRotateSubscriptionSecret() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.post<RotatedSecret>(`/event-subscriptions/${id}/rotate-secret`, {}), onSuccess: invalidate });
}

export function useSendTestEvent() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.post<OutboundDelivery>(`/event-subscriptions/${id}/test`), onSuccess: invalidate });
}

export function useRedeliver() {
  const invalidate = useInvalidate();
  return useMutation({ mutationFn: (id: string) => api.post<OutboundDelivery>(`/webhook-deliveries/${id}/redeliver`), onSuccess: invalidate });
}
