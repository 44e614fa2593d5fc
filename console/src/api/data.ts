// The data API: the workspace's own tables (their definitions, migrations) and the GraphQL API
// generated from them. Types generated from the server's OpenAPI document.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from './client.ts';
import { keys } from './keys.ts';
import type { BodyOf, ResponseOf } from './contract.ts';
import { useSession } from '../auth/session.tsx';

export type DataTables = ResponseOf<'/api/v1/data/tables', 'get'>;
export type DataTable = DataTables['tables'][number];
export type DataColumn = DataTable['columns'][number];
export type Migration = ResponseOf<'/api/v1/data/migrations', 'get'>['data'][number];
export type MigrationBody = BodyOf<'/api/v1/data/migrations', 'post'>;
export type MigrationOperation = NonNullable<MigrationBody['operations']>[number];
export type GraphqlResult = { data?: Record<string, unknown> | null; errors?: Array<{ message: string; extensions?: { code?: string } & Record<string, unknown> }>; extensions?: { cost?: number; statements?: number } };

export const COLUMN_TYPES = ['text', 'integer', 'bigint', 'numeric', 'double', 'boolean', 'uuid', 'date', 'timestamptz', 'jsonb', 'varchar', 'smallint', 'real', 'time', 'timestamp'] as const;

function useWs() {
  return useSession().me.workspace.id;
}

export function useDataTables() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'data', 'tables'), queryFn: ({ signal }) => api.get<DataTables>('/data/tables', undefined, { signal }) });
}

export function useMigrations() {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'data', 'migrations'), queryFn: ({ signal }) => api.get<{ data: Migration[] }>('/data/migrations', { limit: 50 }, { signal }).then((r) => r.data) });
}

export function useApplyMigration() {
  const ws = useWs();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: MigrationBody) => api.post<{ migration: Migration; tables: DataTables }>('/data/migrations', body),
    onSuccess: () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'data') }),
  });
}

/** One GraphQL request (a 200 may still hold `errors`: the caller shows them). */
export function graphql(query: string, variables?: Record<string, unknown>): Promise<GraphqlResult> {
  return api.post<GraphqlResult>('/data/graphql', { query, variables });
}

/** Rows of a table through GraphQL, as the API's users get them (keyed on the query, refreshed after writes). */
export function useRows(table: DataTable | null, args: { first: number; offset: number; orderBy: string[]; filter: Record<string, unknown> | null }) {
  const ws = useWs();
  return useQuery({
    enabled: !!table?.listField,
    queryKey: keys.workspace(ws, 'data', 'rows', table?.name ?? '', JSON.stringify(args)),
    queryFn: async () => {
      const fields = table!.columns.filter((c) => c.field).map((c) => c.field).join(' ');
      const result = await graphql(
        `query Rows($first: Int, $offset: Int, $orderBy: [${table!.typeName}OrderBy!], $filter: ${table!.typeName}Filter) { rows: ${table!.listField}(first: $first, offset: $offset, orderBy: $orderBy, filter: $filter) { nodes { ${fields} } totalCount } }`,
        args);
      if (result.errors?.length) throw new Error(result.errors.map((e) => e.message).join('; '));
      return (result.data as { rows: { nodes: Array<Record<string, unknown>>; totalCount: number } }).rows;
    },
  });
}

export function useInvalidateRows() {
  const ws = useWs();
  const qc = useQueryClient();
  return () => qc.invalidateQueries({ queryKey: keys.workspace(ws, 'data', 'rows') });
}

export type DataMetrics = ResponseOf<'/api/v1/data/metrics', 'get'>;
export type DataRange = '1h' | '24h' | '7d' | '30d';
export type DataUsageRow = ResponseOf<'/api/v1/admin/data/usage', 'get'>['data'][number];

export function useDataMetrics(range: DataRange) {
  const ws = useWs();
  return useQuery({ queryKey: keys.workspace(ws, 'data', 'metrics', range), queryFn: ({ signal }) => api.get<DataMetrics>('/data/metrics', { range }, { signal }), refetchInterval: 30_000 });
}

/** Platform admins: every workspace's data-API traffic. */
export function useAdminDataUsage(range: DataRange) {
  return useQuery({ queryKey: ['admin', 'data-usage', range], queryFn: ({ signal }) => api.get<{ range: string; data: DataUsageRow[] }>('/admin/data/usage', { range }, { signal }).then((r) => r.data) });
}
