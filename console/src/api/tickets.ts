// Support tickets: the workspace's own (open, read, reply, close) and, for platform admins,
// every workspace's (filter, assign, status, priority, replies and internal notes).
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

export const TICKET_STATUSES = ['open', 'in_progress', 'waiting', 'resolved', 'closed'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];
export const TICKET_PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

export const TICKET_STATUS_LABELS: Record<TicketStatus, string> = {
  open: 'Open', in_progress: 'In progress', waiting: 'Waiting on you', resolved: 'Resolved', closed: 'Closed',
};
export const PRIORITY_LABELS: Record<TicketPriority, string> = { low: 'Low', normal: 'Normal', high: 'High', urgent: 'Urgent' };

export type Ticket = {
  id: string;
  workspaceId: string;
  subject: string;
  description: string;
  priority: TicketPriority;
  status: TicketStatus;
  assignee: { id: string; name: string } | null;
  executionId: string | null;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  resolvedAt: string | null;
  closedAt: string | null;
};

export type TicketComment = {
  id: string;
  ticketId: string;
  authorType: 'user' | 'api_key' | 'platform_admin' | 'system';
  authorId: string | null;
  authorName: string | null;
  body: string;
  isInternal: boolean;
  createdAt: string;
};

export type TicketDetail = Ticket & { comments: TicketComment[] };
export type AdminTicket = Ticket & { workspace: { id: string; slug: string; name: string } };
export type AdminTicketDetail = AdminTicket & { comments: TicketComment[] };
export type Assignee = { id: string; name: string; email: string };

export type TicketFilter = { status?: TicketStatus; priority?: TicketPriority };

export function useTickets(filter: TicketFilter) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'tickets', filter.status, filter.priority),
    queryFn: ({ signal }) => api.get<{ data: Ticket[]; total: number }>('/tickets', { ...filter, limit: 200 }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useTicket(id: string) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'tickets', 'detail', id),
    queryFn: ({ signal }) => api.get<TicketDetail>(`/tickets/${encodeURIComponent(id)}`, undefined, { signal }),
  });
}

function useInvalidateTickets() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return () => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, 'tickets') });
}

export function useCreateTicket() {
  const invalidate = useInvalidateTickets();
  return useMutation({
    mutationFn: (input: { subject: string; description: string; priority: TicketPriority; executionId?: string }) => api.post<TicketDetail>('/tickets', input),
    onSuccess: invalidate,
  });
}

export function useCommentOnTicket(id: string) {
  const invalidate = useInvalidateTickets();
  return useMutation({
    mutationFn: (body: string) => api.post<TicketComment>(`/tickets/${encodeURIComponent(id)}/comments`, { body }),
    onSettled: invalidate,
  });
}

export function useCloseTicket(id: string) {
  const invalidate = useInvalidateTickets();
  return useMutation({
    mutationFn: () => api.post<TicketDetail>(`/tickets/${encodeURIComponent(id)}/close`),
    onSettled: invalidate,
  });
}

// ---------------------------------------------------------------------------------------------
// Platform admins

export type AdminTicketFilter = { status?: TicketStatus | 'active'; priority?: TicketPriority; assigneeId?: string; workspaceId?: string };

export function useAdminTickets(filter: AdminTicketFilter, page: { limit: number; offset: number }) {
  return useQuery({
    queryKey: keys.admin('tickets', filter, page),
    queryFn: ({ signal }) => api.get<{ data: AdminTicket[]; total: number; limit: number; offset: number }>('/admin/tickets', { ...filter, ...page }, { signal }),
    placeholderData: keepPreviousData,
  });
}

export function useAdminTicket(id: string) {
  return useQuery({
    queryKey: keys.admin('tickets', 'detail', id),
    queryFn: ({ signal }) => api.get<AdminTicketDetail>(`/admin/tickets/${encodeURIComponent(id)}`, undefined, { signal }),
  });
}

export function useAssignees() {
  return useQuery({
    queryKey: keys.admin('tickets', 'assignees'),
    queryFn: ({ signal }) => api.get<{ data: Assignee[] }>('/admin/tickets/assignees', undefined, { signal }),
    staleTime: 60_000,
  });
}

export function useAdminUpdateTicket(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (changes: { status?: TicketStatus; priority?: TicketPriority; assigneeId?: string | null }) =>
      api.patch<AdminTicketDetail>(`/admin/tickets/${encodeURIComponent(id)}`, changes),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin('tickets') }),
  });
}

export function useAdminReply(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (input: { body: string; isInternal: boolean }) => api.post<TicketComment>(`/admin/tickets/${encodeURIComponent(id)}/comments`, input),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin('tickets') }),
  });
}
