// The workspace's API logs (GET /api-logs, permission api_log.read): filtered, newest first.
import { useInfiniteQuery } from '@tanstack/react-query';
import { useSession } from '../auth/session.tsx';
import { api } from './client.ts';
import { keys } from './keys.ts';

export type ApiLog = {
  id: string;
  createdAt: string;
  method: string;
  endpoint: string;
  status: number;
  durationMs: number;
  errorCode: string | null;
  requestId: string | null;
  actorType: 'user' | 'api_key' | null;
  actorId: string | null;
  ip: string | null;
  requestBody: unknown;
  responseBody: unknown;
};

export type ApiLogFilters = { statusClass?: '' | '2xx' | '3xx' | '4xx' | '5xx'; method?: string; endpoint?: string; from?: string; to?: string };

const PAGE_SIZE = 50;

export function useApiLogs(filters: ApiLogFilters) {
  const { workspaceId } = useSession();
  const query = Object.fromEntries(Object.entries(filters).filter((e): e is [string, string] => typeof e[1] === 'string' && e[1].trim() !== '').map(([k, v]) => [k, v.trim()]));
  return useInfiniteQuery({
    queryKey: keys.workspace(workspaceId, 'api-logs', JSON.stringify(query)),
    queryFn: ({ pageParam, signal }) => api.get<{ data: ApiLog[]; nextCursor: string | null }>('/api-logs', { ...query, limit: PAGE_SIZE, cursor: pageParam }, { signal }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}
