// One run: status and progress (refreshing while it runs), input, output, error, the step
// timeline (status, attempt, duration, output, error), cancel and retry.
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { formatDuration, isRunning, useCancelExecution, useExecution, useRetryExecution } from '../../api/workflows.ts';
import type { ExecutionDetail, StepRun } from '../../api/workflows.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, matchPath, useLocation } from '../../lib/router.tsx';
import { ExecutionProgress, ExecutionStatusBadge, JsonBlock } from './workflows-shared.tsx';

export function ExecutionDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/executions/:id', pathname)?.id ?? '';
  const execution = useExecution(id);
  return (
    <QueryView query={execution} loadingLabel="Loading the run…">
      {(e) => <ExecutionView execution={e} />}
    </QueryView>
  );
}

const STEP_TONES: Record<StepRun['status'], BadgeTone> = { running: 'info', waiting: 'neutral', completed: 'success', failed: 'danger', skipped: 'neutral' };

function ExecutionView({ execution: e }: { execution: ExecutionDetail }) {
  const { can } = useSession();
  const toast = useToast();
  const cancel = useCancelExecution(e.id);
  const retry = useRetryExecution(e.id);
  const [isCancelling, setIsCancelling] = useState(false);
  const canRetry = ['failed', 'timed_out', 'cancelled'].includes(e.status);

  return (
    <>
      <PageHeader
        title={<span className="row" style={{ gap: 10 }}>Run of {e.workflowName} <ExecutionStatusBadge status={e.status} /></span>}
        description={<>Version {e.version} · {e.trigger} · started <RelativeTime iso={e.startedAt ?? e.createdAt} /> · <Link to={`/workflows/${e.workflowId}`}>Back to the workflow</Link></>}
        actions={
          <>
            {can('workflow.execute') && isRunning(e.status) ? <button type="button" className="btn btn-secondary" onClick={() => setIsCancelling(true)}>Cancel run</button> : null}
            {can('workflow.execute') && canRetry ? (
              <button type="button" className="btn btn-primary" disabled={retry.isPending} onClick={() => retry.mutate(undefined, {
                onSuccess: () => toast.success('Retrying from the step that did not complete'), onError: (err) => toast.error(errorMessage(err)),
              })}>{retry.isPending ? 'Retrying…' : 'Retry'}</button>
            ) : null}
          </>
        }
      />
      <div className="grid-2">
        <Card id="progress" title="Progress">
          <ExecutionProgress execution={e} />
          <dl className="definition-list" style={{ marginTop: 12 }}>
            <dt>Duration</dt><dd>{formatDuration(e.durationMs)}</dd>
            <dt>Finished</dt><dd><RelativeTime iso={e.finishedAt} never="Not yet" /></dd>
            {e.revenue ? <><dt>Revenue</dt><dd>{e.revenue}</dd></> : null}
          </dl>
          {e.error ? (
            <div className="alert alert-error" role="alert" style={{ marginTop: 12, display: 'block' }}>
              <strong>{e.error.code}</strong>{e.error.stepId ? <> in step <code>{e.error.stepId}</code></> : null}: {e.error.message}
              {e.error.stack ? <details><summary>Stack trace</summary><pre className="small" style={{ whiteSpace: 'pre-wrap' }}>{e.error.stack}</pre></details> : null}
            </div>
          ) : null}
        </Card>
        <Card id="io" title="Input and output">
          <p className="muted small">Input</p>
          <JsonBlock value={e.input} label="Input" />
          <p className="muted small" style={{ marginTop: 12 }}>Output</p>
          <div data-testid="execution-output"><JsonBlock value={e.output} label="Output" /></div>
        </Card>
      </div>
      <Card id="timeline" title="Steps" description="Each attempt of each step, in order. A retry resumes at the step that did not complete.">
        {e.steps.length === 0 ? <p className="muted">{isRunning(e.status) ? 'Waiting for a worker…' : 'No step ran.'}</p> : (
          <ol className="stack" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 10 }} data-testid="step-timeline">
            {e.steps.map((s) => (
              <li key={s.id} className="card" style={{ padding: 12 }}>
                <div className="row" style={{ justifyContent: 'space-between' }}>
                  <span className="row" style={{ gap: 8 }}>
                    <strong className="mono">{s.stepId}</strong>
                    <span className="muted small">{s.stepType}</span>
                    <Badge tone={STEP_TONES[s.status]}>{s.status}</Badge>
                    {s.attempt > 1 ? <span className="muted small">attempt {s.attempt}</span> : null}
                  </span>
                  <span className="muted small">{s.status === 'waiting' && s.wakeAt ? <>wakes <RelativeTime iso={s.wakeAt} /></> : formatDuration(s.durationMs)}</span>
                </div>
                {s.error ? <p className="field-error">{s.error.code}: {s.error.message}</p> : null}
                {s.output !== null && s.output !== undefined ? (
                  <details>
                    <summary className="small">Output{s.outputTruncated ? ' (truncated to 64 KB)' : ''}</summary>
                    <JsonBlock value={s.output} />
                  </details>
                ) : null}
              </li>
            ))}
          </ol>
        )}
      </Card>
      <ConfirmDialog
        open={isCancelling}
        title="Cancel this run?"
        description="A step in progress is aborted; steps after it do not run. You can retry it later."
        confirmLabel="Cancel run"
        isPending={cancel.isPending}
        error={cancel.error ? errorMessage(cancel.error) : null}
        onClose={() => setIsCancelling(false)}
        onConfirm={() => cancel.mutate(undefined, { onSuccess: () => { setIsCancelling(false); toast.success('Run cancelled'); } })}
      />
    </>
  );
}
