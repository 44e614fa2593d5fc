// Platform admin: job queues at a glance (depth, running, dead letters, oldest due job) and the
// jobs of one status, with retry for dead letters and cancel for the others.
import { useState } from 'react';
import { useJobAction, useJobs, useQueueStats } from '../../api/jobs.ts';
import type { Job, JobStatus } from '../../api/jobs.ts';
import { Badge } from '../../components/badge.tsx';
import { ConfirmMutationDialog } from '../../components/dialog.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';

function age(seconds: number): string {
  if (seconds < 1) return '—';
  if (seconds < 120) return `${Math.round(seconds)} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

export function AdminJobsPage() {
  const stats = useQueueStats();
  const [status, setStatus] = useState<JobStatus>('dead');
  const [queue, setQueue] = useState('');
  const jobs = useJobs({ status, queue: queue || undefined });
  const action = useJobAction();
  const [target, setTarget] = useState<{ job: Job; action: 'retry' | 'cancel' } | null>(null);

  return (
    <>
      <PageHeader title="Jobs" description="The durable job engine behind workflows, webhooks and retention: queue depth, dead letters, retries. Refreshes every 5 seconds." />
      <Card id="job-queues" title="Queues">
        {stats.isPending ? <Loading label="Loading queues…" /> : stats.isError ? <ErrorState error={stats.error} onRetry={() => void stats.refetch()} /> : stats.data.data.length === 0 ? (
          <EmptyState icon="layers" title="No jobs in any queue">Queues appear here when work is enqueued: a workflow run, a webhook delivery, a scheduled task.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Queue</th><th scope="col">Pending</th><th scope="col">Waiting on a key</th><th scope="col">Running</th><th scope="col">Dead</th><th scope="col">Oldest due</th></tr></thead>
              <tbody>
                {stats.data.data.map((s) => (
                  <tr key={s.queue}>
                    <td className="mono">{s.queue}</td>
                    <td>{s.pending}</td>
                    <td>{s.blocked}</td>
                    <td>{s.running}</td>
                    <td>{s.dead > 0 ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => { setStatus('dead'); setQueue(s.queue); }}><Badge tone="danger">{s.dead}</Badge></button> : 0}</td>
                    <td>{age(s.oldestPendingSeconds)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <Card id="job-list" title="Jobs">
        <div className="toolbar">
          <label className="toolbar-field">
            <span>Status</span>
            <select className="input" value={status} onChange={(e) => setStatus(e.target.value as JobStatus)}>
              <option value="dead">Dead letters</option>
              <option value="pending">Pending</option>
              <option value="blocked">Waiting on a key</option>
              <option value="running">Running</option>
            </select>
          </label>
          <label className="toolbar-field">
            <span>Queue</span>
            <select className="input" value={queue} onChange={(e) => setQueue(e.target.value)}>
              <option value="">All</option>
              {(stats.data?.data ?? []).map((s) => <option key={s.queue} value={s.queue}>{s.queue}</option>)}
            </select>
          </label>
        </div>
        {jobs.isPending ? <Loading label="Loading jobs…" /> : jobs.isError ? <ErrorState error={jobs.error} onRetry={() => void jobs.refetch()} /> : jobs.data.data.length === 0 ? (
          <EmptyState icon="check" title={status === 'dead' ? 'No dead letters' : `No ${status} jobs`}>{status === 'dead' ? 'Jobs that run out of attempts land here, with their last error, until you retry them.' : 'Nothing in this state right now.'}</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Job</th><th scope="col">Workspace</th><th scope="col">Attempts</th><th scope="col">Last error</th><th scope="col">Updated</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>
                {jobs.data.data.map((j) => (
                  <tr key={j.id}>
                    <td><span className="mono">{j.queue}</span><span className="muted block small mono">{j.id}</span></td>
                    <td className="mono small">{j.workspaceId ?? 'platform'}</td>
                    <td>{j.attempts}/{j.maxAttempts}</td>
                    <td className="small">{j.lastError?.message ?? '—'}</td>
                    <td><RelativeTime iso={j.updatedAt} /></td>
                    <td className="cell-actions">
                      {j.status === 'dead' ? <button type="button" className="btn btn-secondary btn-sm" onClick={() => setTarget({ job: j, action: 'retry' })}>Retry</button> : null}
                      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTarget({ job: j, action: 'cancel' })}>Cancel</button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <ConfirmMutationDialog
        target={target}
        onDone={() => setTarget(null)}
        title={(t) => (t.action === 'retry' ? `Retry job ${t.job.queue}?` : `Cancel job ${t.job.queue}?`)}
        description={(t) => (t.action === 'retry' ? 'It goes back to the queue with its attempts reset.' : 'A waiting job is removed; a running one is asked to stop.')}
        confirmLabel={target?.action === 'retry' ? 'Retry job' : 'Cancel job'}
        mutation={action}
        variables={(t) => ({ id: t.job.id, action: t.action })}
        successMessage={(t) => (t.action === 'retry' ? 'Job queued again' : 'Job cancelled')}
      />
    </>
  );
}
