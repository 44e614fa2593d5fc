// Platform admin: impersonate a member of a workspace, with a written reason (audited). Owners
// need the procedure: the server answers IMPERSONATION_APPROVAL_REQUIRED, the dialog then offers
// to ask a second platform admin, follows the request's status and, once approved, starts it.
import { useState } from 'react';
import { ApiError, errorMessage, fieldError } from '../api/client.ts';
import {
  useAdminWorkspaceDetail, useImpersonationRequests, usePeople, useRequestImpersonation, useStartImpersonation,
} from '../api/impersonation.ts';
import type { ImpersonationRequest } from '../api/impersonation.ts';
import type { AdminWorkspace } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { Link } from '../lib/router.tsx';
import { Badge } from './badge.tsx';
import { Dialog } from './dialog.tsx';
import { FormError, Notice, SelectField, TextField } from './field.tsx';
import { Loading, ErrorState } from './states.tsx';
import { RelativeTime } from './time.tsx';
import './impersonation.css';

const DURATIONS = [15, 30, 60];
const MIN_REASON = 10;
const POLL_MS = 4000;

/** "14:05", the deadline of an approved request. */
export function formatClock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

/** An approved request can be started until `usableUntil`, once. */
export function isStartable(request: ImpersonationRequest, now: number = Date.now()): boolean {
  return request.status === 'approved' && request.usableUntil !== null && Date.parse(request.usableUntil) > now;
}

export function RequestStatusBadge({ request }: { request: ImpersonationRequest }) {
  if (request.status === 'pending') return <Badge tone="warning">Waiting for approval</Badge>;
  if (request.status === 'used') return <Badge>Used</Badge>;
  return isStartable(request) ? <Badge tone="success">Approved</Badge> : <Badge tone="danger">Approval expired</Badge>;
}

/** The caller's newest usable request for this user in this workspace: approved first, then pending. */
function findOwnRequest(requests: ImpersonationRequest[], requesterId: string, userId: string, workspaceId: string, askedId: string | null): ImpersonationRequest | undefined {
  const asked = askedId ? requests.find((r) => r.id === askedId) : undefined;
  const mine = requests.filter((r) => r.requestedBy === requesterId && r.targetUserId === userId && r.workspaceId === workspaceId);
  return asked && (asked.status !== 'pending' || !mine.some((r) => isStartable(r))) ? asked : (mine.find((r) => isStartable(r)) ?? mine.find((r) => r.status === 'pending'));
}

export function ImpersonateDialog({ workspace, onClose }: { workspace: AdminWorkspace | null; onClose: () => void }) {
  const { me } = useSession();
  const detail = useAdminWorkspaceDetail(workspace?.id ?? null);
  const start = useStartImpersonation();
  const ask = useRequestImpersonation();
  const [userId, setUserId] = useState('');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('30');
  const [isApprovalNeeded, setIsApprovalNeeded] = useState(false);
  const [askedId, setAskedId] = useState<string | null>(null);
  const requests = useImpersonationRequests({ isEnabled: isApprovalNeeded, refetchIntervalMs: POLL_MS });
  const resetProcedure = () => {
    setIsApprovalNeeded(false);
    setAskedId(null);
    start.reset();
    ask.reset();
  };
  const close = () => {
    setUserId('');
    setReason('');
    setDuration('30');
    resetProcedure();
    onClose();
  };

  const others = (detail.data?.members ?? []).filter((m) => m.userId !== me.user?.id);
  // Owners last: they need the procedure.
  const candidates = [...others.filter((m) => m.role !== 'owner'), ...others.filter((m) => m.role === 'owner')];
  const chosen = userId || candidates[0]?.userId || '';
  const chosenMember = candidates.find((m) => m.userId === chosen);
  const hasOwners = candidates.some((m) => m.role === 'owner');
  const found = isApprovalNeeded && workspace && me.user ? findOwnRequest(requests.data ?? [], me.user.id, chosen, workspace.id, askedId) : undefined;
  const own = found && (found.status === 'pending' || isStartable(found)) ? found : undefined;
  const approver = usePeople(own?.approvedBy ? [own.approvedBy] : []).get(own?.approvedBy ?? '');
  const isAskedGone = askedId !== null && requests.isSuccess && !own;
  const reasonError = fieldError(start.error, 'reason') ?? fieldError(ask.error, 'reason');
  const startError = start.error && !(start.error instanceof ApiError && start.error.code === 'IMPERSONATION_APPROVAL_REQUIRED') ? start.error : null;
  const formError = startError ?? ask.error;
  const isReasonShort = reason.trim().length < MIN_REASON;

  const startNow = () => {
    if (!workspace) return;
    start.mutate({ userId: chosen, workspaceId: workspace.id, reason: reason.trim(), durationMinutes: Number(duration) }, {
      onError: (error) => {
        if (error instanceof ApiError && error.code === 'IMPERSONATION_APPROVAL_REQUIRED') setIsApprovalNeeded(true);
      },
    });
  };
  const askApproval = () => {
    if (!workspace) return;
    ask.mutate({ userId: chosen, workspaceId: workspace.id, reason: reason.trim() }, { onSuccess: (request) => setAskedId(request.id) });
  };

  let action = (
    <button type="submit" className="btn btn-primary" disabled={start.isPending || isReasonShort || !chosen}>
      {start.isPending ? 'Starting…' : 'Start impersonation'}
    </button>
  );
  let procedure = null;
  if (isApprovalNeeded && chosenMember) {
    const who = chosenMember.name || chosenMember.email;
    if (requests.isPending) {
      procedure = <Loading label="Looking for your request…" />;
    } else if (own && isStartable(own)) {
      procedure = (
        <Notice tone="success">
          <div className="impersonation-procedure">
            <p><strong>Approved</strong>{approver ? ` by ${approver.name || approver.email}` : ''}. Start before {formatClock(own.usableUntil ?? '')}; the approval works once.</p>
            <p className="impersonation-request-status">Request status: <RequestStatusBadge request={own} /></p>
          </div>
        </Notice>
      );
    } else if (own?.status === 'pending') {
      procedure = (
        <Notice>
          <div className="impersonation-procedure">
            <p>Request sent <RelativeTime iso={own.createdAt} />. Another platform admin must approve it on the <Link to="/admin/impersonation">Impersonation requests</Link> page; this dialog updates by itself.</p>
            <p className="impersonation-request-status">Request status: <RequestStatusBadge request={own} /></p>
          </div>
        </Notice>
      );
      action = <button type="button" className="btn btn-primary" disabled>Waiting for approval…</button>;
    } else {
      procedure = (
        <Notice tone="warning">
          <div className="impersonation-procedure">
            <p><strong>{who} is an owner of {workspace?.name}.</strong> Impersonating an owner needs the approval of a second platform admin. Your reason goes with the request.</p>
            {isAskedGone ? <p>Your previous request was used or is no longer valid; ask again.</p> : null}
          </div>
        </Notice>
      );
      action = (
        <button type="button" className="btn btn-primary" disabled={ask.isPending || isReasonShort} onClick={askApproval}>
          {ask.isPending ? 'Asking…' : 'Ask another platform admin to approve'}
        </button>
      );
    }
  }

  return (
    <Dialog open={workspace !== null} onClose={close} title={workspace ? `Impersonate a member of ${workspace.name}` : ''}
      description="You act as this person for a limited time. Everything you do is recorded with your name as the real actor.">
      {detail.isPending ? (
        <Loading label="Loading members…" />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : candidates.length === 0 ? (
        <Notice>No member can be impersonated here.</Notice>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            startNow();
          }}
        >
          <SelectField label="Member" value={chosen} onChange={(e) => { setUserId(e.target.value); resetProcedure(); }}
            options={candidates.map((m) => ({ value: m.userId, label: `${m.name || m.email} (${m.email}) — ${m.role}${m.role === 'owner' ? ', needs approval' : ''}` }))}
            hint={hasOwners ? 'Impersonating an owner needs a second platform admin’s approval: you will be offered to ask for it.' : undefined} />
          <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={MIN_REASON} maxLength={1000}
            readOnly={own !== undefined}
            placeholder="Support ticket #1234: the dashboard shows no data" hint="At least 10 characters. Kept in the audit trail." error={reasonError} />
          <SelectField label="Duration" value={duration} onChange={(e) => setDuration(e.target.value)}
            options={DURATIONS.map((d) => ({ value: String(d), label: `${d} minutes` }))} />
          {procedure}
          <FormError message={formError && !reasonError ? errorMessage(formError) : null} />
          <div className="dialog-actions">
            <button type="button" className="btn btn-secondary" onClick={close}>Cancel</button>
            {action}
          </div>
        </form>
      )}
    </Dialog>
  );
}
