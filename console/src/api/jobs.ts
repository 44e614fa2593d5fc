// Platform admin: the job engine's queues, dead letters, retry and cancel.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';

export type JobStatus = 'pending' | 'blocked' | 'running' | 'dead';
export type QueueStats = { queue: string; pending: number; blocked: number; running: number; dead: number; oldestPendingSeconds: number };
export type Job = {
  id: string; queue: string; workspaceId: string | null; status: JobStatus; priority: number; runAt: string; attempts: number; maxAttempts: number;
  orderingKey: string | null; lastError: { message: string; name?: string; stack?: string } | null; createdAt: string; updatedAt: string;
};

export function useQueueStats() {
  return useQuery({
    queryKey: keys.admin('jobs', 'stats'),
    queryFn: ({ signal }) => api.get<{ data: QueueStats[] }>('/admin/jobs/stats', undefined, { signal }),
    refetchInterval: 5000,
  });
}

export function useJobs(query: { status: JobStatus; queue?: string }) {
  return useQuery({
    queryKey: keys.admin('jobs', 'list', query),
    queryFn: ({ signal }) => api.get<{ data: Job[] }>('/admin/jobs', { ...query, limit: 100 }, { signal }),
    refetchInterval: 5000,
  });
}

export function useJobAction() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'retry' | 'cancel' }) => api.post<unknown>(`/admin/jobs/${encodeURIComponent(id)}/${action}`),
    onSettled: () => queryClient.invalidateQueries({ queryKey: keys.admin('jobs') }),
  });
}
