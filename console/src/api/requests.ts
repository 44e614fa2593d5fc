// Workflow requests: the workspace's own (create, read, edit while submitted, withdraw) and, for
// platform admins, every workspace's pipeline (move, estimate, notes).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { minorDigits } from '../lib/format.ts';
import { api, request } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

export const REQUEST_STATUSES = ['submitted', 'reviewing', 'negotiation', 'contract_signed', 'development', 'deployed', 'rejected', 'withdrawn'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];
/** The board's columns, in pipeline order. */
export const PIPELINE: readonly RequestStatus[] = ['submitted', 'reviewing', 'negotiation', 'contract_signed', 'development', 'deployed'];
export const FREQUENCIES = ['once', 'hourly', 'daily', 'weekly', 'monthly', 'on_demand'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

export const STATUS_LABELS: Record<RequestStatus, string> = {
  submitted: 'Submitted', reviewing: 'Reviewing', negotiation: 'Negotiation', contract_signed: 'Contract signed',
  development: 'Development', deployed: 'Deployed', rejected: 'Rejected', withdrawn: 'Withdrawn',
};
export const FREQUENCY_LABELS: Record<Frequency, string> = {
  once: 'Once', hourly: 'Hourly', daily: 'Daily', weekly: 'Weekly', monthly: 'Monthly', on_demand: 'On demand',
};

export type Money = { amountMinor: number; currency: string };
export type Estimate = Money & { deliveryDate: string | null };

export type TimelineEntry = {
  id: string;
  kind: 'submitted' | 'updated' | 'status_changed' | 'estimated' | 'note' | 'withdrawn';
  fromStatus: RequestStatus | null;
  toStatus: RequestStatus | null;
  note: string;
  isInternal: boolean;
  actorType: 'user' | 'api_key' | 'platform_admin' | 'system';
  actorId: string | null;
  actorName: string | null;
  details: Record<string, unknown> | null;
  createdAt: string;
};

export type WorkflowRequest = {
  id: string;
  workspaceId: string;
  title: string;
  description: string;
  useCase: string;
  frequency: Frequency;
  budget: Money | null;
  status: RequestStatus;
  estimate: Estimate | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  statusChangedAt: string;
  closedAt: string | null;
};
export type RequestDetail = WorkflowRequest & { timeline: TimelineEntry[] };
export type AdminRequest = WorkflowRequest & { workspace: { id: string; slug: string; name: string }; nextStatuses: RequestStatus[] };
export type AdminRequestDetail = AdminRequest & { timeline: TimelineEntry[] };

type Page<T> = { data: T[]; total: number; nextCursor: string | null };

export type RequestInput = { title: string; description?: string; useCase?: string; frequency: Frequency; budget?: Money | null };

// ---------------------------------------------------------------------------------------------
// The workspace's own requests

export function useRequests(status?: RequestStatus) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'requests', status),
    queryFn: ({ signal }) => api.get<Page<WorkflowRequest>>('/requests', { status, limit: 200 }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useRequest(id: string) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'requests', 'detail', id),
    queryFn: ({ signal }) => api.get<RequestDetail>(`/requests/${encodeURIComponent(id)}`, undefined, { signal }),
  });
}

function useInvalidateRequests() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'requests') });
}

export function useCreateRequest() {
  const invalidate = useInvalidateRequests();
  return useMutation({
    mutationFn: (input: RequestInput) => api.post<RequestDetail>('/requests', input),
    onSuccess: invalidate,
  });
}

export function useUpdateRequest(id: string) {
  const invalidate = useInvalidateRequests();
  return useMutation({
    mutationFn: (input: Partial<RequestInput>) => api.patch<RequestDetail>(`/requests/${encodeURIComponent(id)}`, input),
    onSuccess: invalidate,
  });
}

export function useWithdrawRequest() {
  const invalidate = useInvalidateRequests();
  return useMutation({
    mutationFn: ({ id, reason }: { id: string; reason?: string }) => api.post<RequestDetail>(`/requests/${encodeURIComponent(id)}/withdraw`, reason ? { reason } : {}),
    onSettled: invalidate,
  });
}

// ---------------------------------------------------------------------------------------------
// Platform admins: every workspace's pipeline

export function useAdminRequests(filter: { status?: RequestStatus | 'open'; workspaceId?: string }) {
  return useQuery({
    queryKey: keys.admin('requests', filter),
    queryFn: ({ signal }) => api.get<{ data: AdminRequest[]; total: number }>('/admin/requests', { ...filter, limit: 500 }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useAdminRequest(id: string | null) {
  return useQuery({
    queryKey: keys.admin('requests', 'detail', id ?? ''),
    queryFn: ({ signal }) => api.get<AdminRequestDetail>(`/admin/requests/${encodeURIComponent(id ?? '')}`, undefined, { signal }),
    enabled: id !== null,
  });
}

function useAdminMutation<V>(send: (variables: V) => Promise<AdminRequestDetail>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: send,
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin('requests') }),
  });
}

export function useTransitionRequest() {
  return useAdminMutation(({ id, ...body }: { id: string; to: RequestStatus; note?: string; expectedStatus?: RequestStatus }) =>
    api.post<AdminRequestDetail>(`/admin/requests/${encodeURIComponent(id)}/transition`, body));
}

export function useEstimateRequest() {
  return useAdminMutation(({ id, ...body }: { id: string; amountMinor: number; currency: string; deliveryDate: string | null; note?: string }) =>
    request<AdminRequestDetail>(`/admin/requests/${encodeURIComponent(id)}/estimate`, { method: 'PUT', body }));
}

export function useAddRequestNote() {
  return useAdminMutation(({ id, ...body }: { id: string; note: string; isInternal: boolean }) =>
    api.post<AdminRequestDetail>(`/admin/requests/${encodeURIComponent(id)}/notes`, body));
}

// ---------------------------------------------------------------------------------------------
// Money: the API speaks the currency's minor unit (cents); people type and read major units.
// Formatting is the console's one helper (lib/format.ts).
export { formatMoney } from '../lib/format.ts';

/** "1500.50" EUR → 150050; null when not a non-negative number. */
export function toMinorUnits(text: string, currency: string): number | null {
  const value = Number(text.replace(',', '.').trim());
  if (!text.trim() || !Number.isFinite(value) || value < 0) return null;
  return Math.round(value * 10 ** minorDigits(currency));
}

export function toMajorUnits(money: Money): string {
  return String(money.amountMinor / 10 ** minorDigits(money.currency));
}
