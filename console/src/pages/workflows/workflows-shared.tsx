// Pieces shared by the workflow pages: status badges, the progress bar, JSON blocks.
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { EXECUTION_STATUS_LABELS } from '../../api/workflows.ts';
import type { Execution, ExecutionStatus, WorkflowStatus } from '../../api/workflows.ts';

const EXECUTION_TONES: Record<ExecutionStatus, BadgeTone> = {
  pending: 'neutral', processing: 'info', completed: 'success', failed: 'danger', cancelled: 'warning', timed_out: 'danger',
};

export function ExecutionStatusBadge({ status }: { status: ExecutionStatus }) {
  return <span data-testid="execution-status" data-status={status}><Badge tone={EXECUTION_TONES[status]}>{EXECUTION_STATUS_LABELS[status]}</Badge></span>;
}

const WORKFLOW_TONES: Record<WorkflowStatus, BadgeTone> = { draft: 'neutral', deployed: 'success', archived: 'warning' };

export function WorkflowStatusBadge({ status }: { status: WorkflowStatus }) {
  return <Badge tone={WORKFLOW_TONES[status]}>{status === 'draft' ? 'Draft' : status === 'deployed' ? 'Deployed' : 'Archived'}</Badge>;
}

export function ExecutionProgress({ execution }: { execution: Pick<Execution, 'progress' | 'status'> }) {
  const { stepsDone, stepsTotal, currentStep, percent } = execution.progress;
  return (
    <div className="stack" style={{ gap: 2, minWidth: 140 }}>
      <progress value={percent} max={100} aria-label={`${stepsDone} of ${stepsTotal} steps`} style={{ width: '100%' }} />
      <span className="muted small">
        {stepsDone}/{stepsTotal} steps{currentStep && (execution.status === 'processing') ? ` · ${currentStep}` : ''}
      </span>
    </div>
  );
}

export function JsonBlock({ value, label }: { value: unknown; label?: string }) {
  return (
    <pre className="code-block code-block-wrap" aria-label={label} style={{ display: 'block', maxHeight: 320, overflow: 'auto', margin: 0 }}>
      <code>{value === undefined ? '—' : JSON.stringify(value, null, 2)}</code>
    </pre>
  );
}

export function formatRate(rate: number | null): string {
  return rate === null ? '—' : `${Math.round(rate * 100)}%`;
}
