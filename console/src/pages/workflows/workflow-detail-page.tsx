// One workflow: stats, the step editor (saving makes a version), versions with deploy, settings
// (input schema, prices, timeout, schedule), Run, Archive, and its runs with live progress.
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import {
  formatDuration, useArchiveWorkflow, useCreateVersion, useDeployWorkflow, useUpdateWorkflow, useWorkflow, useWorkflowExecutions, useWorkflowVersions, useWorkflows,
} from '../../api/workflows.ts';
import type { ExecutionStatus, WorkflowDetail } from '../../api/workflows.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, matchPath, navigate, useLocation } from '../../lib/router.tsx';
import { StepEditor } from './workflow-step-editor.tsx';
import { BuildsCard } from './workflow-builds-card.tsx';
import { RunWorkflowDialog } from './workflow-run-dialog.tsx';
import { ExecutionProgress, ExecutionStatusBadge, WorkflowStatusBadge, formatRate } from './workflows-shared.tsx';
import { formatMoney } from '../../lib/format.ts';

export function WorkflowDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/workflows/:id', pathname)?.id ?? '';
  const workflow = useWorkflow(id);
  return (
    <QueryView query={workflow} loadingLabel="Loading the workflow…">
      {(w) => <WorkflowView workflow={w} />}
    </QueryView>
  );
}

function Stat({ label, value }: { label: string; value: string | number }) {
  return (
    <div className="stat" style={{ gridTemplateColumns: '1fr' }}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
    </div>
  );
}

function WorkflowView({ workflow: w }: { workflow: WorkflowDetail }) {
  const { can } = useSession();
  const toast = useToast();
  const deploy = useDeployWorkflow(w.id);
  const archive = useArchiveWorkflow(w.id);
  const createVersion = useCreateVersion(w.id);
  const [run, setRun] = useState<null | { versionId?: string }>(null);
  const [isArchiving, setIsArchiving] = useState(false);
  const others = useWorkflows({ status: 'deployed' });
  const isArchived = w.status === 'archived';
  const hasUndeployedDraft = w.currentVersionId !== w.deployedVersionId;

  return (
    <>
      <PageHeader
        title={<span className="row" style={{ gap: 10 }}>{w.name} <WorkflowStatusBadge status={w.status} /></span>}
        description={
          <>
            {w.description ? <>{w.description} · </> : null}
            Draft v{w.currentVersion}{w.deployedVersion ? <> · deployed v{w.deployedVersion} <RelativeTime iso={w.deployedAt} /></> : ' · never deployed'}
            {' · '}<Link to="/workflows">All workflows</Link>
          </>
        }
        actions={
          <>
            {can('workflow.execute') && !isArchived ? (
              <button type="button" className="btn btn-primary" disabled={!w.deployedVersionId} title={w.deployedVersionId ? undefined : 'Deploy a version first'} onClick={() => setRun({})}>
                Run
              </button>
            ) : null}
            {can('workflow.execute') && !isArchived && hasUndeployedDraft ? (
              <button type="button" className="btn btn-secondary" onClick={() => setRun({ versionId: w.currentVersionId ?? undefined })}>Test draft</button>
            ) : null}
            {can('workflow.deploy') && (hasUndeployedDraft || isArchived) ? (
              <button type="button" className="btn btn-secondary" disabled={deploy.isPending} onClick={() => deploy.mutate(undefined, {
                onSuccess: (d) => toast.success(`Version ${d.deployedVersion} deployed`),
                onError: (e) => toast.error(errorMessage(e)),
              })}>
                {deploy.isPending ? 'Deploying…' : `Deploy v${w.currentVersion}`}
              </button>
            ) : null}
            {can('workflow.delete') && !isArchived ? (
              <button type="button" className="btn btn-secondary" onClick={() => setIsArchiving(true)}><Icon name="trash" /> Archive</button>
            ) : null}
          </>
        }
      />
      <div className="stats">
        <Stat label="Runs" value={w.stats.total} />
        <Stat label="Success rate" value={formatRate(w.stats.successRate)} />
        <Stat label="Average duration" value={formatDuration(w.stats.averageDurationMs)} />
        <Stat label="Revenue this month" value={formatMoney(w.stats.revenueThisMonth)} />
      </div>

      <RunsCard workflowId={w.id} />

      <Card id="steps" title="Steps" description="Each save makes a new immutable version; deploy it to use it for runs.">
        <StepEditor
          key={w.currentVersionId ?? 'none'}
          definition={w.definition}
          workflows={(others.data?.data ?? []).filter((o) => o.id !== w.id)}
          canEdit={can('workflow.update') && !isArchived}
          isSaving={createVersion.isPending}
          error={createVersion.error}
          onSave={(definition, note) => createVersion.mutate({ definition, note: note || undefined }, { onSuccess: (v) => toast.success(`Saved as version ${v.version}`) })}
        />
      </Card>

      <div className="grid-2">
        <VersionsCard workflow={w} />
        <SettingsCard workflow={w} />
      </div>

      {can('workflow.build') ? <BuildsCard workflow={w} /> : null}

      {run ? <RunWorkflowDialog workflow={w} versionId={run.versionId} onClose={() => setRun(null)} /> : null}
      <ConfirmDialog
        open={isArchiving}
        title={`Archive ${w.name}?`}
        description="No new runs, its schedule stops; its history stays. Deploying it again brings it back."
        confirmLabel="Archive"
        isPending={archive.isPending}
        error={archive.error ? errorMessage(archive.error) : null}
        onClose={() => setIsArchiving(false)}
        onConfirm={() => archive.mutate(undefined, { onSuccess: () => { setIsArchiving(false); toast.success('Workflow archived'); } })}
      />
    </>
  );
}

function RunsCard({ workflowId }: { workflowId: string }) {
  const [status, setStatus] = useState<ExecutionStatus | ''>('');
  const runs = useWorkflowExecutions(workflowId, status || undefined);
  return (
    <Card
      id="runs"
      title="Runs"
      description="Live: the list refreshes while a run is in progress."
      actions={
        <select className="input input-sm" value={status} onChange={(e) => setStatus(e.target.value as ExecutionStatus | '')} aria-label="Filter runs by status">
          <option value="">All</option>
          {(['pending', 'processing', 'completed', 'failed', 'cancelled', 'timed_out'] as const).map((s) => <option key={s} value={s}>{s.replace('_', ' ')}</option>)}
        </select>
      }
    >
      <QueryView query={runs} loadingLabel="Loading runs…">
        {(page) => page.data.length === 0 ? (
          <EmptyState icon="refresh" title={status ? 'No runs with this status' : 'No runs yet'}>Deploy a version, then press Run.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table table-clickable" data-testid="runs-table">
              <thead>
                <tr><th scope="col">Run</th><th scope="col">Status</th><th scope="col">Progress</th><th scope="col">Trigger</th><th scope="col">Duration</th></tr>
              </thead>
              <tbody>
                {page.data.map((e) => (
                  <tr key={e.id} onClick={() => navigate(`/executions/${e.id}`)}>
                    <td><a href={`/executions/${e.id}`} onClick={(ev) => { ev.preventDefault(); navigate(`/executions/${e.id}`); }}><RelativeTime iso={e.createdAt} /></a><div className="muted small mono">v{e.version}</div></td>
                    <td><ExecutionStatusBadge status={e.status} /></td>
                    <td><ExecutionProgress execution={e} /></td>
                    <td>{e.trigger}</td>
                    <td>{formatDuration(e.durationMs)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </Card>
  );
}

function VersionsCard({ workflow: w }: { workflow: WorkflowDetail }) {
  const { can } = useSession();
  const toast = useToast();
  const versions = useWorkflowVersions(w.id);
  const deploy = useDeployWorkflow(w.id);
  return (
    <Card id="versions" title="Versions">
      <QueryView query={versions} loadingLabel="Loading versions…">
        {(page) => (
          <ul className="list">
            {page.data.map((v) => (
              <li key={v.id} className="list-row" style={{ justifyContent: 'space-between' }}>
                <span>
                  <strong>v{v.version}</strong> {v.id === w.deployedVersionId ? <span className="badge badge-success">Deployed</span> : null}{v.id === w.currentVersionId ? <span className="badge badge-neutral">Draft</span> : null}
                  <div className="muted small">{v.definition.steps.length} steps · <RelativeTime iso={v.createdAt} />{v.note ? ` · ${v.note}` : ''}</div>
                </span>
                {can('workflow.deploy') && v.id !== w.deployedVersionId ? (
                  <button type="button" className="btn btn-secondary btn-sm" disabled={deploy.isPending} onClick={() => deploy.mutate(v.id, {
                    onSuccess: () => toast.success(`Version ${v.version} deployed`), onError: (e) => toast.error(errorMessage(e)),
                  })}>Deploy</button>
                ) : null}
              </li>
            ))}
          </ul>
        )}
      </QueryView>
    </Card>
  );
}

function SettingsCard({ workflow: w }: { workflow: WorkflowDetail }) {
  const { can } = useSession();
  const toast = useToast();
  const update = useUpdateWorkflow(w.id);
  const [name, setName] = useState(w.name);
  const [description, setDescription] = useState(w.description);
  const [schema, setSchema] = useState(w.inputSchema ? JSON.stringify(w.inputSchema, null, 2) : '');
  const [revenue, setRevenue] = useState(w.revenuePerExecution);
  const [cost, setCost] = useState(w.costPerExecution);
  const [timeoutS, setTimeoutS] = useState(String(Math.round(w.timeoutMs / 1000)));
  const [cron, setCron] = useState(w.schedule?.cron ?? '');
  const [timezone, setTimezone] = useState(w.schedule?.timezone ?? 'UTC');
  const [localError, setLocalError] = useState<string | null>(null);
  const canEdit = can('workflow.update') && w.status !== 'archived';
  return (
    <Card id="settings" title="Settings">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        let inputSchema: Record<string, unknown> | null = null;
        if (schema.trim()) {
          try { inputSchema = JSON.parse(schema) as Record<string, unknown>; } catch { setLocalError('The input schema is not valid JSON'); return; }
        }
        setLocalError(null);
        update.mutate({
          name, description, inputSchema, revenuePerExecution: revenue, costPerExecution: cost, timeoutMs: Math.round(Number(timeoutS) * 1000),
          schedule: cron.trim() ? { cron: cron.trim(), timezone, input: w.schedule?.input } : null,
        }, { onSuccess: () => toast.success('Settings saved') });
      }}>
        <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }} className="stack">
          <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} required />
          <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={2000} />
          <div className="field">
            <label htmlFor="wf-input-schema">Input JSON schema</label>
            <textarea id="wf-input-schema" className="input textarea mono" rows={5} value={schema} onChange={(e) => setSchema(e.target.value)} spellCheck={false}
              placeholder='{"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}' />
            <p className="field-hint">Checks every run's input; the Run form is generated from it.</p>
          </div>
          <div className="grid-2">
            <TextField label="Revenue per run" value={revenue} onChange={(e) => setRevenue(e.target.value)} inputMode="decimal" />
            <TextField label="Cost per run" value={cost} onChange={(e) => setCost(e.target.value)} inputMode="decimal" />
          </div>
          <TextField label="Timeout (seconds)" type="number" min={1} max={86400} value={timeoutS} onChange={(e) => setTimeoutS(e.target.value)} />
          <div className="grid-2">
            <TextField label="Schedule (cron)" value={cron} onChange={(e) => setCron(e.target.value)} placeholder="0 9 * * 1-5" hint="Runs while deployed; empty for none" />
            <TextField label="Time zone" value={timezone} onChange={(e) => setTimezone(e.target.value)} />
          </div>
          <FormError message={localError ?? (update.error ? errorMessage(update.error) : null)} />
          {canEdit ? <div className="row"><button type="submit" className="btn btn-primary" disabled={update.isPending}>{update.isPending ? 'Saving…' : 'Save settings'}</button></div> : null}
        </fieldset>
      </form>
    </Card>
  );
}
