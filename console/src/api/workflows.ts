// Workflows, their versions and executions. Runs poll while any is pending or processing.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ResponseOf } from './contract.ts';
import { request } from './client.ts';
import { keys } from './keys.ts';
import { useSession } from '../auth/session.tsx';

export type WorkflowStatus = 'draft' | 'deployed' | 'archived';
export type ExecutionStatus = 'pending' | 'processing' | 'completed' | 'failed' | 'cancelled' | 'timed_out';
export type Step = { id: string; type: string; name?: string; input?: Record<string, unknown>; [field: string]: unknown };
export type Definition = { steps: Step[]; output?: string };
export type Schedule = { cron: string; timezone?: string; input?: Record<string, unknown> };
export type JsonSchema = Record<string, unknown>;

export type Workflow = {
  id: string;
  name: string;
  description: string;
  status: WorkflowStatus;
  inputSchema: JsonSchema | null;
  costPerExecution: string;
  revenuePerExecution: string;
  timeoutMs: number;
  schedule: Schedule | null;
  currentVersionId: string | null;
  currentVersion: number | null;
  deployedVersionId: string | null;
  deployedVersion: number | null;
  createdAt: string;
  updatedAt: string;
  deployedAt: string | null;
};

export type WorkflowListItem = Workflow & {
  lastExecution: { id: string; status: ExecutionStatus; createdAt: string } | null;
  executionCount: number;
  successRate: number | null;
};

/** Generated from the server's OpenAPI document (contract.ts). */
export type WorkflowStats = ResponseOf<'/api/v1/workflows/{id}/stats', 'get'>;

export type ExecutionError = { message: string; code: string; stepId?: string | null; stack?: string };

export type Execution = {
  id: string;
  workflowId: string;
  workflowName: string;
  versionId: string;
  version: number;
  status: ExecutionStatus;
  trigger: 'api' | 'cron' | 'webhook';
  input: unknown;
  output: unknown;
  error: ExecutionError | null;
  progress: { stepsDone: number; stepsTotal: number; currentStep: string | null; percent: number };
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  revenue: string | null;
};

export type StepRun = {
  id: string; stepId: string; stepType: string; attempt: number; status: 'running' | 'waiting' | 'completed' | 'failed' | 'skipped';
  output: unknown; outputSize: number | null; outputTruncated: boolean; error: ExecutionError | null; wakeAt: string | null;
  startedAt: string; finishedAt: string | null; durationMs: number | null;
};

export type ExecutionDetail = Execution & { steps: StepRun[] };
export type WorkflowDetail = Workflow & { definition: Definition; stats: WorkflowStats; recentExecutions: Execution[] };
export type WorkflowVersion = { id: string; workflowId: string; version: number; definition: Definition; note: string; createdBy: string | null; createdAt: string };

type Page<T> = { data: T[]; nextCursor: string | null };

export const isRunning = (status: ExecutionStatus) => status === 'pending' || status === 'processing';
const POLL_MS = 1500;

export function useWorkflows(options: { status?: WorkflowStatus } = {}) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'workflows', options.status ?? 'active'),
    queryFn: ({ signal }) => request<Page<WorkflowListItem>>('/workflows', { query: { status: options.status, limit: 200 }, signal }),
    refetchInterval: (query) => (query.state.data?.data.some((w) => w.lastExecution && isRunning(w.lastExecution.status)) ? POLL_MS : false),
  });
}

export function useWorkflow(id: string) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'workflow', id),
    queryFn: ({ signal }) => request<WorkflowDetail>(`/workflows/${id}`, { signal }),
  });
}

export function useWorkflowVersions(id: string) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'workflow', id, 'versions'),
    queryFn: ({ signal }) => request<{ data: WorkflowVersion[]; nextCursor: number | null }>(`/workflows/${id}/versions`, { signal }),
  });
}

export function useWorkflowExecutions(id: string, status?: ExecutionStatus) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'workflow', id, 'executions', status),
    queryFn: ({ signal }) => request<Page<Execution>>(`/workflows/${id}/executions`, { query: { status, limit: 50 }, signal }),
    // Live status: poll while any run on the page is still going.
    refetchInterval: (query) => (query.state.data?.data.some((e) => isRunning(e.status)) ? POLL_MS : false),
  });
}

export function useExecution(id: string) {
  const { workspaceId } = useSession();
  return useQuery({
    queryKey: keys.workspace(workspaceId, 'execution', id),
    queryFn: ({ signal }) => request<ExecutionDetail>(`/executions/${id}`, { signal }),
    refetchInterval: (query) => (query.state.data && isRunning(query.state.data.status) ? 1000 : false),
  });
}

function useInvalidate() {
  const queryClient = useQueryClient();
  const { workspaceId } = useSession();
  return (...parts: string[]) => queryClient.invalidateQueries({ queryKey: keys.workspace(workspaceId, ...parts) });
}

export type CreateWorkflowInput = { name: string; description?: string; definition?: Definition; inputSchema?: JsonSchema | null };

export function useCreateWorkflow() {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: CreateWorkflowInput) => request<WorkflowDetail>('/workflows', { method: 'POST', body }),
    onSuccess: () => invalidate('workflows'),
  });
}

export type WorkflowPatch = Partial<{ name: string; description: string; inputSchema: JsonSchema | null; costPerExecution: string; revenuePerExecution: string; timeoutMs: number; schedule: Schedule | null }>;

export function useUpdateWorkflow(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: WorkflowPatch) => request<WorkflowDetail>(`/workflows/${id}`, { method: 'PATCH', body }),
    onSuccess: () => Promise.all([invalidate('workflow', id), invalidate('workflows')]),
  });
}

export function useCreateVersion(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { definition: Definition; note?: string }) => request<WorkflowVersion>(`/workflows/${id}/versions`, { method: 'POST', body }),
    onSuccess: () => Promise.all([invalidate('workflow', id), invalidate('workflows')]),
  });
}

export function useDeployWorkflow(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (versionId?: string) => request<WorkflowDetail>(`/workflows/${id}/deploy`, { method: 'POST', body: versionId ? { versionId } : {} }),
    onSuccess: () => Promise.all([invalidate('workflow', id), invalidate('workflows')]),
  });
}

export function useArchiveWorkflow(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => request<WorkflowDetail>(`/workflows/${id}`, { method: 'DELETE' }),
    onSuccess: () => Promise.all([invalidate('workflow', id), invalidate('workflows')]),
  });
}

export function useExecuteWorkflow(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: (body: { input: Record<string, unknown>; versionId?: string }) =>
      request<{ executionId: string; status: ExecutionStatus }>(`/workflows/${id}/execute`, { method: 'POST', body }),
    onSuccess: () => Promise.all([invalidate('workflow', id), invalidate('workflows')]),
  });
}

export function useCancelExecution(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => request<Execution>(`/executions/${id}/cancel`, { method: 'POST' }),
    onSuccess: () => Promise.all([invalidate('execution', id), invalidate('workflow')]),
  });
}

export function useRetryExecution(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => request<Execution>(`/executions/${id}/retry`, { method: 'POST' }),
    onSuccess: () => Promise.all([invalidate('execution', id), invalidate('workflow')]),
  });
}

export const EXECUTION_STATUS_LABELS: Record<ExecutionStatus, string> = {
  pending: 'Pending', processing: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled', timed_out: 'Timed out',
};

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

// ---- builds (issue 15): compiled code committed per deploy, for workflow.build holders ----------

export type Build = ResponseOf<'/api/v1/builds/{id}', 'get'>;
const isBuilding = (b: Build) => b.status === 'queued' || b.status === 'running';

/** A workflow's builds, newest first; polls while one is queued or running. */
export function useWorkflowBuilds(id: string, enabled: boolean) {
  const { workspaceId } = useSession();
  return useQuery({
    enabled,
    queryKey: keys.workspace(workspaceId, 'workflow', id, 'builds'),
    queryFn: ({ signal }) => request<{ data: Build[] }>(`/workflows/${id}/builds`, { query: { limit: 20 }, signal }),
    refetchInterval: (query) => (query.state.data?.data.some(isBuilding) ? 1000 : false),
  });
}

export function useRebuild(id: string) {
  const invalidate = useInvalidate();
  return useMutation({
    mutationFn: () => request<Build>(`/workflows/${id}/builds`, { method: 'POST' }),
    onSuccess: () => invalidate('workflow', id, 'builds'),
  });
}

/** The unified diff of the code between two builds (`against` the older one). */
export function useBuildDiff(buildId: string | null, against: string | null) {
  const { workspaceId } = useSession();
  return useQuery({
    enabled: !!buildId && !!against,
    queryKey: keys.workspace(workspaceId, 'build', buildId ?? '', 'diff', against ?? ''),
    queryFn: ({ signal }) => request<{ from: string; to: string; diff: string }>(`/builds/${buildId}/diff`, { query: { against: against! }, signal }),
  });
}
