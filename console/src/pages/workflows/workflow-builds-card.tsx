// Builds of a workflow (issue 15), for those with workflow.build: each deploy compiles the version
// to code committed on the workspace's branch and tagged. The list polls while a build runs; a
// build opens the diff of its code against the build before it.
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import { useBuildDiff, useRebuild, useWorkflowBuilds } from '../../api/workflows.ts';
import type { Build, WorkflowDetail } from '../../api/workflows.ts';
import { Card } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';

const STATUS_BADGE: Record<Build['status'], string> = { queued: 'badge-neutral', running: 'badge-neutral', succeeded: 'badge-success', failed: 'badge-danger' };

function DiffView({ build, previous }: { build: Build; previous: Build | undefined }) {
  const diff = useBuildDiff(previous?.commit ? build.id : null, previous?.commit ? previous.id : null);
  if (!previous) return <p className="muted small">The first build of this workflow: nothing to compare with.</p>;
  if (!previous.commit || !build.commit) return <p className="muted small">Both builds must have succeeded to be compared.</p>;
  return (
    <QueryView query={diff} loadingLabel="Loading the diff…">
      {(d) => d.diff.trim() === '' ? <p className="muted small">Same code as v{previous.version}'s build.</p> : (
        <pre className="build-diff" aria-label={`Diff against v${previous.version}`}>
          {d.diff.split('\n').filter((l) => !/^(diff --git|index |--- |\+\+\+ )/.test(l)).map((line, i) => (
            <span key={i} className={line.startsWith('+') ? 'diff-add' : line.startsWith('-') ? 'diff-del' : line.startsWith('@@') ? 'diff-hunk' : undefined}>{line}{'\n'}</span>
          ))}
        </pre>
      )}
    </QueryView>
  );
}

export function BuildsCard({ workflow: w }: { workflow: WorkflowDetail }) {
  const toast = useToast();
  const builds = useWorkflowBuilds(w.id, true);
  const rebuild = useRebuild(w.id);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card id="builds" title="Builds" description="Each deploy compiles the version to code, committed on this workspace's branch and tagged (at most 100 builds a day)."
      actions={w.status === 'deployed' ? (
        <button type="button" className="btn btn-secondary btn-sm" disabled={rebuild.isPending} onClick={() => rebuild.mutate(undefined, {
          onSuccess: () => toast.success('Rebuild queued'), onError: (e) => toast.error(errorMessage(e)),
        })}>Rebuild</button>
      ) : null}>
      <QueryView query={builds} loadingLabel="Loading builds…">
        {(page) => page.data.length === 0 ? (
          <EmptyState icon="layers" title="No builds yet">Deploying a version builds it: the compiled code, its commit and its tag show here.</EmptyState>
        ) : (
          <div className="table-wrap">
            <table className="table" data-testid="builds-table">
              <thead><tr><th scope="col">Build</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">Commit</th><th scope="col">Tag</th><th scope="col"><span className="sr-only">Diff</span></th></tr></thead>
              <tbody>
                {page.data.map((b, i) => {
                  const previous = page.data.slice(i + 1).find((x) => x.status === 'succeeded');
                  return [
                    <tr key={b.id}>
                      <td><RelativeTime iso={b.createdAt} /><div className="muted small">{b.reason}</div></td>
                      <td>v{b.version}</td>
                      <td><span className={`badge ${STATUS_BADGE[b.status]}`}>{b.status}</span>{b.error ? <div className="muted small" title={b.error.message}>{b.error.code}</div> : null}</td>
                      <td>{b.durationMs === null ? '—' : `${b.durationMs} ms`}</td>
                      <td className="mono small">{b.commit?.slice(0, 10) ?? '—'}</td>
                      <td className="mono small">{b.tag ?? '—'}</td>
                      <td>{b.status === 'succeeded' ? <button type="button" className="btn btn-ghost btn-sm" aria-expanded={open === b.id} onClick={() => setOpen(open === b.id ? null : b.id)}>{open === b.id ? 'Hide diff' : 'Diff'}</button> : null}</td>
                    </tr>,
                    open === b.id ? <tr key={`${b.id}-diff`}><td colSpan={7}><DiffView build={b} previous={previous} /></td></tr> : null,
                  ];
                })}
              </tbody>
            </table>
          </div>
        )}
      </QueryView>
    </Card>
  );
}
