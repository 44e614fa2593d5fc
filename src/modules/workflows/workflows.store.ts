// SQL of workflows and workflow_versions.
import type { Tx } from '../../kernel/db/database.ts';
import type { ExecutionStatus, WorkflowDefinition, WorkflowStatus } from './workflows.types.ts';

export type WorkflowSchedule = { cron: string; timezone?: string; input?: Record<string, unknown> };

export type Workflow = {
  id: string;
  name: string;
  description: string;
  status: WorkflowStatus;
  inputSchema: Record<string, unknown> | null;
  costPerExecution: string;
  revenuePerExecution: string;
  timeoutMs: number;
  schedule: WorkflowSchedule | null;
  currentVersionId: string | null;
  currentVersion: number | null;
  deployedVersionId: string | null;
  deployedVersion: number | null;
  createdBy: string | null;
  updatedBy: string | null;
  createdAt: string;
  updatedAt: string;
  deployedAt: string | null;
  archivedAt: string | null;
};

export type WorkflowListItem = Workflow & {
  lastExecution: { id: string; status: ExecutionStatus; createdAt: string } | null;
  executionCount: number;
  successRate: number | null;
};

export type WorkflowVersion = {
  id: string;
  workflowId: string;
  version: number;
  definition: WorkflowDefinition;
  note: string;
  createdBy: string | null;
  createdAt: string;
};

type WorkflowRow = {
  id: string; name: string; description: string; status: WorkflowStatus; input_schema: Record<string, unknown> | null;
  cost_per_execution: string; revenue_per_execution: string; timeout_ms: number; schedule: WorkflowSchedule | null;
  current_version_id: string | null; current_version: number | null; deployed_version_id: string | null; deployed_version: number | null;
  created_by: string | null; updated_by: string | null; created_at: Date; updated_at: Date; deployed_at: Date | null; archived_at: Date | null;
};

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function toWorkflow(r: WorkflowRow): Workflow {
  return {
    id: r.id, name: r.name, description: r.description, status: r.status, inputSchema: r.input_schema,
    costPerExecution: r.cost_per_execution, revenuePerExecution: r.revenue_per_execution, timeoutMs: r.timeout_ms, schedule: r.schedule,
    currentVersionId: r.current_version_id, currentVersion: r.current_version, deployedVersionId: r.deployed_version_id, deployedVersion: r.deployed_version,
    createdBy: r.created_by, updatedBy: r.updated_by, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
    deployedAt: iso(r.deployed_at), archivedAt: iso(r.archived_at),
  };
}

const SELECT = `select w.id, w.name, w.description, w.status, w.input_schema, w.cost_per_execution::text, w.revenue_per_execution::text,
  w.timeout_ms, w.schedule, w.current_version_id, cv.version as current_version, w.deployed_version_id, dv.version as deployed_version,
  w.created_by, w.updated_by, w.created_at, w.updated_at, w.deployed_at, w.archived_at
  from workflows w
  left join workflow_versions cv on cv.workspace_id = w.workspace_id and cv.id = w.current_version_id
  left join workflow_versions dv on dv.workspace_id = w.workspace_id and dv.id = w.deployed_version_id`;

export async function findWorkflow(tx: Tx, workspaceId: string, id: string, options: { forUpdate?: boolean } = {}): Promise<Workflow | null> {
  const { rows } = await tx.query<WorkflowRow>(`${SELECT} where w.workspace_id = $1 and w.id = $2${options.forUpdate ? ' for update of w' : ''}`, [workspaceId, id]);
  return rows[0] ? toWorkflow(rows[0]) : null;
}

export type WorkflowListFilter = { status?: WorkflowStatus; search?: string; limit: number; after?: string; includeArchived?: boolean };

export async function listWorkflows(tx: Tx, workspaceId: string, f: WorkflowListFilter): Promise<WorkflowListItem[]> {
  const { rows } = await tx.query<WorkflowRow & { last_id: string | null; last_status: ExecutionStatus | null; last_created_at: Date | null; total: number; succeeded: number; failed: number }>(
    `select x.*, last.id as last_id, last.status as last_status, last.created_at as last_created_at,
            coalesce(agg.total, 0)::int as total, coalesce(agg.succeeded, 0)::int as succeeded, coalesce(agg.failed, 0)::int as failed
     from (${SELECT}
       where w.workspace_id = $1
         and ($2::text is null or w.status = $2)
         and ($2::text is not null or $5::boolean or w.status <> 'archived')
         and ($3::text is null or w.name ilike '%' || $3 || '%')
         and ($4::uuid is null or w.id < $4)
       order by w.id desc limit $6) x
     left join lateral (select e.id, e.status, e.created_at from workflow_executions e
       where e.workspace_id = $1 and e.workflow_id = x.id order by e.id desc limit 1) last on true
     left join lateral (select count(*) as total, count(*) filter (where e.status = 'completed') as succeeded,
         count(*) filter (where e.status in ('failed', 'timed_out')) as failed
       from workflow_executions e where e.workspace_id = $1 and e.workflow_id = x.id) agg on true
     order by x.id desc`,
    [workspaceId, f.status ?? null, f.search ?? null, f.after ?? null, f.includeArchived ?? false, f.limit]);
  return rows.map((r) => ({
    ...toWorkflow(r),
    lastExecution: r.last_id ? { id: r.last_id, status: r.last_status!, createdAt: r.last_created_at!.toISOString() } : null,
    executionCount: r.total,
    successRate: r.succeeded + r.failed > 0 ? r.succeeded / (r.succeeded + r.failed) : null,
  }));
}

export type NewWorkflow = {
  id: string; workspaceId: string; name: string; description: string; inputSchema: unknown; costPerExecution: string; revenuePerExecution: string;
  timeoutMs: number; schedule: WorkflowSchedule | null; userId: string | null;
};

export async function insertWorkflow(tx: Tx, w: NewWorkflow): Promise<void> {
  await tx.query(
    `insert into workflows (workspace_id, id, name, description, input_schema, cost_per_execution, revenue_per_execution, timeout_ms, schedule, created_by, updated_by)
     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)`,
    [w.workspaceId, w.id, w.name, w.description, w.inputSchema === null ? null : JSON.stringify(w.inputSchema), w.costPerExecution, w.revenuePerExecution,
      w.timeoutMs, w.schedule === null ? null : JSON.stringify(w.schedule), w.userId]);
}

export type WorkflowPatch = Partial<{ name: string; description: string; inputSchema: unknown; costPerExecution: string; revenuePerExecution: string; timeoutMs: number; schedule: WorkflowSchedule | null }>;

const COLUMNS: Record<keyof WorkflowPatch, { column: string; isJson?: boolean }> = {
  name: { column: 'name' }, description: { column: 'description' }, inputSchema: { column: 'input_schema', isJson: true },
  costPerExecution: { column: 'cost_per_execution' }, revenuePerExecution: { column: 'revenue_per_execution' }, timeoutMs: { column: 'timeout_ms' },
  schedule: { column: 'schedule', isJson: true },
};

export async function updateWorkflow(tx: Tx, workspaceId: string, id: string, patch: WorkflowPatch, userId: string | null): Promise<void> {
  const sets: string[] = [];
  const values: unknown[] = [workspaceId, id, userId];
  for (const [key, value] of Object.entries(patch) as Array<[keyof WorkflowPatch, unknown]>) {
    if (value === undefined) continue;
    const c = COLUMNS[key];
    values.push(c.isJson ? (value === null ? null : JSON.stringify(value)) : value);
    sets.push(`${c.column} = $${values.length}`);
  }
  await tx.query(`update workflows set ${[...sets, 'updated_by = $3', 'updated_at = now()'].join(', ')} where workspace_id = $1 and id = $2`, values);
}

export async function setWorkflowState(tx: Tx, workspaceId: string, id: string, state: { status: WorkflowStatus; deployedVersionId?: string; currentVersionId?: string }, userId: string | null): Promise<void> {
  await tx.query(
    `update workflows set status = $3, deployed_version_id = coalesce($4, deployed_version_id), current_version_id = coalesce($5, current_version_id),
       deployed_at = case when $3 = 'deployed' and $4::uuid is not null then now() else deployed_at end,
       archived_at = case when $3 = 'archived' then now() else null end,
       updated_by = $6, updated_at = now()
     where workspace_id = $1 and id = $2`,
    [workspaceId, id, state.status, state.deployedVersionId ?? null, state.currentVersionId ?? null, userId]);
}

type VersionRow = { id: string; workflow_id: string; version: number; definition: WorkflowDefinition; note: string; created_by: string | null; created_at: Date };

function toVersion(r: VersionRow): WorkflowVersion {
  return { id: r.id, workflowId: r.workflow_id, version: r.version, definition: r.definition, note: r.note, createdBy: r.created_by, createdAt: r.created_at.toISOString() };
}

const VERSION = 'id, workflow_id, version, definition, note, created_by, created_at';

/** The next version number of a workflow (its row must be locked by the caller). */
export async function insertVersion(tx: Tx, v: { workspaceId: string; workflowId: string; definition: WorkflowDefinition; note: string; userId: string | null }): Promise<WorkflowVersion> {
  const { rows } = await tx.query<VersionRow>(
    `insert into workflow_versions (workspace_id, workflow_id, version, definition, note, created_by)
     values ($1, $2, (select coalesce(max(version), 0) + 1 from workflow_versions where workspace_id = $1 and workflow_id = $2), $3, $4, $5)
     returning ${VERSION}`,
    [v.workspaceId, v.workflowId, JSON.stringify(v.definition), v.note, v.userId]);
  return toVersion(rows[0]);
}

export async function findVersion(tx: Tx, workspaceId: string, id: string): Promise<WorkflowVersion | null> {
  const { rows } = await tx.query<VersionRow>(`select ${VERSION} from workflow_versions where workspace_id = $1 and id = $2`, [workspaceId, id]);
  return rows[0] ? toVersion(rows[0]) : null;
}

export async function listVersions(tx: Tx, workspaceId: string, workflowId: string, options: { limit: number; before?: number }): Promise<WorkflowVersion[]> {
  const { rows } = await tx.query<VersionRow>(
    `select ${VERSION} from workflow_versions where workspace_id = $1 and workflow_id = $2 and ($3::int is null or version < $3)
     order by version desc limit $4`,
    [workspaceId, workflowId, options.before ?? null, options.limit]);
  return rows.map(toVersion);
}

/** Which of these ids are workflows of the workspace (sub-workflow references). */
export async function existingWorkflowIds(tx: Tx, workspaceId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const { rows } = await tx.query<{ id: string }>(`select id from workflows where workspace_id = $1 and id = any($2::uuid[])`, [workspaceId, ids]);
  return new Set(rows.map((r) => r.id));
}
