// Platform admin: the owner procedure. Requests to impersonate a workspace owner wait here for a
// SECOND platform admin's approval (the server refuses one's own); the requester then starts the
// impersonation from here or from the dialog, within 15 minutes, once.
import { useState } from 'react';
import { errorMessage } from '../../api/client.ts';
import {
  useApproveImpersonation, useImpersonationRequests, usePeople, useStartImpersonation, useWorkspaceNames,
} from '../../api/impersonation.ts';
import type { ImpersonationRequest, Person } from '../../api/impersonation.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { FormError, SelectField } from '../../components/field.tsx';
import { RequestStatusBadge, formatClock, isStartable } from '../../components/impersonate-dialog.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView, Spinner } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';
import '../../components/impersonation.css';

const POLL_MS = 5000;
const DURATIONS = [15, 30, 60];

function PersonCell({ person, id, isYou }: { person: Person | undefined; id: string; isYou?: boolean }) {
  if (!person) return <span className="mono small" title={id}>{id.slice(0, 8)}…</span>;
  return (
    <>
      <strong>{person.name || person.email}</strong>{isYou ? <span className="muted"> (you)</span> : null}
      <span className="muted block small">{person.email}</span>
    </>
  );
}

export function ImpersonationRequestsPage() {
  const { me } = useSession();
  const myId = me.user?.id ?? '';
  const requests = useImpersonationRequests({ refetchIntervalMs: POLL_MS });
  const rows = requests.data ?? [];
  const people = usePeople(rows.flatMap((r) => (r.approvedBy ? [r.requestedBy, r.targetUserId, r.approvedBy] : [r.requestedBy, r.targetUserId])));
  const workspaceNames = useWorkspaceNames(rows.map((r) => r.workspaceId));
  const approve = useApproveImpersonation();
  const start = useStartImpersonation();
  const toast = useToast();
  // The server's refusal, shown while the request it is about still waits (another admin may approve it meanwhile).
  const [approveFailure, setApproveFailure] = useState<{ id: string; message: string } | null>(null);
  const failure = approveFailure && rows.some((r) => r.id === approveFailure.id && r.status === 'pending') ? approveFailure.message : null;
  const [starting, setStarting] = useState<ImpersonationRequest | null>(null);
  const [duration, setDuration] = useState('30');
  const nameOf = (id: string) => {
    const person = people.get(id);
    return person ? person.name || person.email : 'this user';
  };

  return (
    <>
      <PageHeader
        title="Impersonation requests"
        description="Impersonating a workspace owner needs a second platform admin: one asks with a reason, another approves, then the first one starts within 15 minutes. Every step is in the workspace’s audit trail."
      />
      <Card
        id="impersonation-requests"
        title="Open requests"
        description="Waiting for approval (for 24 hours), and approved ones until they are used or their 15 minutes are up."
        actions={requests.isFetching && !requests.isPending ? <Spinner /> : null}
      >
        <FormError message={failure} />
        <QueryView query={requests} loadingLabel="Loading requests…">
          {(data) =>
            data.length === 0 ? (
              <EmptyState icon="shield" title="No open requests">
                To impersonate a workspace owner, open <Link to="/admin/workspaces">Workspaces</Link>, choose “Impersonate…” and ask for an approval; the request shows here for another platform admin.
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Requested by</th>
                      <th scope="col">Impersonate</th>
                      <th scope="col">Workspace</th>
                      <th scope="col">Reason</th>
                      <th scope="col">Asked</th>
                      <th scope="col">Status</th>
                      <th scope="col"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((r) => {
                      const isMine = r.requestedBy === myId;
                      const approver = r.approvedBy ? people.get(r.approvedBy) : undefined;
                      return (
                        <tr key={r.id} data-request-id={r.id}>
                          <td><PersonCell person={people.get(r.requestedBy)} id={r.requestedBy} isYou={isMine} /></td>
                          <td><PersonCell person={people.get(r.targetUserId)} id={r.targetUserId} /></td>
                          <td>{workspaceNames.get(r.workspaceId) ?? <span className="mono small">{r.workspaceId.slice(0, 8)}…</span>}</td>
                          <td className="impersonation-reason">{r.reason}</td>
                          <td className="impersonation-nowrap"><RelativeTime iso={r.createdAt} /></td>
                          <td className="impersonation-nowrap">
                            <RequestStatusBadge request={r} />
                            {r.status === 'approved' ? (
                              <span className="muted block small">
                                by {approver ? approver.name || approver.email : 'another admin'}
                                {r.usableUntil ? `, start before ${formatClock(r.usableUntil)}` : ''}
                              </span>
                            ) : null}
                          </td>
                          <td className="cell-actions impersonation-actions">
                            {r.status === 'pending' ? (
                              <button
                                type="button"
                                className="btn btn-secondary btn-sm"
                                disabled={approve.isPending}
                                aria-label={`Approve the request of ${nameOf(r.requestedBy)} to impersonate ${nameOf(r.targetUserId)}`}
                                onClick={() => {
                                  setApproveFailure(null);
                                  approve.mutate(r.id, {
                                    onSuccess: () => toast.success(`Approved: ${nameOf(r.requestedBy)} may start within 15 minutes`),
                                    onError: (error) => setApproveFailure({ id: r.id, message: errorMessage(error) }),
                                  });
                                }}
                              >
                                Approve
                              </button>
                            ) : null}
                            {isMine && isStartable(r) ? (
                              <button type="button" className="btn btn-primary btn-sm" onClick={() => { start.reset(); setStarting(r); }}>
                                Start impersonation
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>

      <ConfirmDialog
        open={starting !== null}
        title={starting ? `Impersonate ${nameOf(starting.targetUserId)}?` : ''}
        description={starting ? `In ${workspaceNames.get(starting.workspaceId) ?? 'their workspace'}, for the reason you gave: “${starting.reason}”. The approval works once; everything you do is recorded with your name as the real actor.` : ''}
        confirmLabel="Start impersonation"
        tone="primary"
        isPending={start.isPending}
        error={start.error ? errorMessage(start.error) : null}
        onClose={() => { setStarting(null); start.reset(); }}
        onConfirm={() => starting && start.mutate({ userId: starting.targetUserId, workspaceId: starting.workspaceId, reason: starting.reason, durationMinutes: Number(duration) })}
      >
        <SelectField label="Duration" value={duration} onChange={(e) => setDuration(e.target.value)}
          options={DURATIONS.map((d) => ({ value: String(d), label: `${d} minutes` }))} />
      </ConfirmDialog>
    </>
  );
}
