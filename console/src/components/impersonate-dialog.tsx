// Platform admin: impersonate a member of a workspace, with a written reason (audited). Owners
// need the procedure (a second platform admin approves through the API) and are listed apart.
import { useState } from 'react';
import { errorMessage, fieldError } from '../api/client.ts';
import { useAdminWorkspaceDetail, useStartImpersonation } from '../api/impersonation.ts';
import type { AdminWorkspace } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { Dialog } from './dialog.tsx';
import { FormError, Notice, SelectField, TextField } from './field.tsx';
import { Loading, ErrorState } from './states.tsx';

const DURATIONS = [15, 30, 60];
const MIN_REASON = 10;

export function ImpersonateDialog({ workspace, onClose }: { workspace: AdminWorkspace | null; onClose: () => void }) {
  const { me } = useSession();
  const detail = useAdminWorkspaceDetail(workspace?.id ?? null);
  const start = useStartImpersonation();
  const [userId, setUserId] = useState('');
  const [reason, setReason] = useState('');
  const [duration, setDuration] = useState('30');
  const close = () => {
    setUserId('');
    setReason('');
    setDuration('30');
    start.reset();
    onClose();
  };
  const candidates = (detail.data?.members ?? []).filter((m) => m.userId !== me.user?.id && m.role !== 'owner');
  const owners = (detail.data?.members ?? []).filter((m) => m.role === 'owner');
  const chosen = userId || candidates[0]?.userId || '';
  const reasonError = fieldError(start.error, 'reason');

  return (
    <Dialog open={workspace !== null} onClose={close} title={workspace ? `Impersonate a member of ${workspace.name}` : ''}
      description="You act as this person for a limited time. Everything you do is recorded with your name as the real actor.">
      {detail.isPending ? (
        <Loading label="Loading members…" />
      ) : detail.isError ? (
        <ErrorState error={detail.error} onRetry={() => void detail.refetch()} />
      ) : candidates.length === 0 ? (
        <Notice>No member can be impersonated directly here.{owners.length ? ' Owners need a second platform admin’s approval.' : ''}</Notice>
      ) : (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            if (!workspace) return;
            start.mutate({ userId: chosen, workspaceId: workspace.id, reason: reason.trim(), durationMinutes: Number(duration) });
          }}
        >
          <SelectField label="Member" value={chosen} onChange={(e) => setUserId(e.target.value)}
            options={candidates.map((m) => ({ value: m.userId, label: `${m.name || m.email} (${m.email}) — ${m.role}` }))}
            hint={owners.length ? 'Owners are not listed: impersonating an owner needs a second platform admin’s approval.' : undefined} />
          <TextField label="Reason" value={reason} onChange={(e) => setReason(e.target.value)} required minLength={MIN_REASON} maxLength={1000}
            placeholder="Support ticket #1234: the dashboard shows no data" hint="At least 10 characters. Kept in the audit trail." error={reasonError} />
          <SelectField label="Duration" value={duration} onChange={(e) => setDuration(e.target.value)}
            options={DURATIONS.map((d) => ({ value: String(d), label: `${d} minutes` }))} />
          <FormError message={start.error && !reasonError ? errorMessage(start.error) : null} />
          <div className="dialog-actions">
            <button type="button" className="btn btn-secondary" onClick={close}>Cancel</button>
            <button type="submit" className="btn btn-primary" disabled={start.isPending || reason.trim().length < MIN_REASON || !chosen}>
              {start.isPending ? 'Starting…' : 'Start impersonation'}
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
