// One request: what was asked, the estimate, and the timeline of every step. While it is still
// submitted the workspace can edit it; until a contract is signed it can withdraw it.
import { useState } from 'react';
import { FREQUENCY_LABELS, formatMoney, toMajorUnits, toMinorUnits, useRequest, useUpdateRequest, useWithdrawRequest } from '../../api/requests.ts';
import type { RequestDetail } from '../../api/requests.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmDialog, Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, matchPath, useLocation } from '../../lib/router.tsx';
import { RequestFormFields, RequestStatusBadge, TextAreaField, Timeline } from './requests-shared.tsx';
import type { RequestFormState } from './requests-shared.tsx';

export function RequestDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/requests/:id', pathname)?.id ?? '';
  const request = useRequest(id);
  return (
    <QueryView query={request} loadingLabel="Loading the request…">
      {(r) => <RequestView request={r} />}
    </QueryView>
  );
}

function RequestView({ request: r }: { request: RequestDetail }) {
  const { can } = useSession();
  const [isEditing, setIsEditing] = useState(false);
  const [isWithdrawing, setIsWithdrawing] = useState(false);
  const canChange = can('request.create');
  const canWithdraw = canChange && ['submitted', 'reviewing', 'negotiation'].includes(r.status);

  return (
    <>
      <p className="small"><Link to="/requests">← All requests</Link></p>
      <PageHeader
        title={<span className="row">{r.title} <RequestStatusBadge status={r.status} /></span>}
        description={<>Submitted <RelativeTime iso={r.createdAt} />{r.closedAt ? <> · closed <RelativeTime iso={r.closedAt} /></> : null}</>}
        actions={
          <>
            {canChange && r.status === 'submitted' ? <button type="button" className="btn btn-secondary" onClick={() => setIsEditing(true)}>Edit</button> : null}
            {canWithdraw ? <button type="button" className="btn btn-secondary btn-danger-text" onClick={() => setIsWithdrawing(true)}>Withdraw</button> : null}
          </>
        }
      />
      <div className="split">
        <Card id="request-timeline" title="Timeline" description="Every step of the request, newest last.">
          <Timeline entries={r.timeline} />
        </Card>
        <Card id="request-details" title="Details">
          <dl className="definition-list">
            <dt>Frequency</dt><dd>{FREQUENCY_LABELS[r.frequency]}</dd>
            <dt>Budget</dt><dd>{r.budget ? formatMoney(r.budget) : <span className="muted">Not given</span>}</dd>
            <dt>Estimate</dt>
            <dd>{r.estimate ? <>{formatMoney(r.estimate)}{r.estimate.deliveryDate ? <span className="muted">by {r.estimate.deliveryDate}</span> : null}</> : <span className="muted">Not yet</span>}</dd>
          </dl>
          <h3 className="small muted">Description</h3>
          <p className="pre-wrap">{r.description || <span className="muted">—</span>}</p>
          <h3 className="small muted">Use case</h3>
          <p className="pre-wrap">{r.useCase || <span className="muted">—</span>}</p>
        </Card>
      </div>
      {isEditing ? <EditRequestDialog request={r} onClose={() => setIsEditing(false)} /> : null}
      {isWithdrawing ? <WithdrawDialog request={r} onClose={() => setIsWithdrawing(false)} /> : null}
    </>
  );
}

function EditRequestDialog({ request: r, onClose }: { request: RequestDetail; onClose: () => void }) {
  const update = useUpdateRequest(r.id);
  const toast = useToast();
  const [form, setForm] = useState<RequestFormState>({
    title: r.title, description: r.description, useCase: r.useCase, frequency: r.frequency,
    budget: r.budget ? toMajorUnits(r.budget) : '', currency: r.budget?.currency ?? 'EUR',
  });
  const [budgetError, setBudgetError] = useState<string | undefined>();
  const errors = (field: string) => (field === 'budget' ? budgetError ?? fieldError(update.error, 'budget') : fieldError(update.error, field));
  const formError = update.error && !['title', 'budget'].some((f) => fieldError(update.error, f)) ? errorMessage(update.error) : null;
  return (
    <Dialog open onClose={onClose} title="Edit the request" description="You can edit it until the Atrium team starts reviewing it." size="wide">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const amount = form.budget.trim() ? toMinorUnits(form.budget, form.currency) : null;
          if (form.budget.trim() && amount === null) {
            setBudgetError('Enter an amount, like 1500 or 1500.50');
            return;
          }
          update.mutate({
            title: form.title.trim(), description: form.description, useCase: form.useCase, frequency: form.frequency,
            budget: amount === null ? null : { amountMinor: amount, currency: form.currency },
          }, { onSuccess: () => { toast.success('Request updated'); onClose(); } });
        }}
      >
        <RequestFormFields value={form} onChange={setForm} errors={errors} />
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending || !form.title.trim()}>{update.isPending ? 'Saving…' : 'Save'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function WithdrawDialog({ request: r, onClose }: { request: RequestDetail; onClose: () => void }) {
  const withdraw = useWithdrawRequest();
  const toast = useToast();
  const [reason, setReason] = useState('');
  return (
    <ConfirmDialog
      open
      title={`Withdraw “${r.title}”?`}
      description="The Atrium team stops working on it. To ask again later, submit a new request."
      confirmLabel="Withdraw request"
      isPending={withdraw.isPending}
      error={withdraw.error ? errorMessage(withdraw.error) : null}
      onClose={onClose}
      onConfirm={() => withdraw.mutate({ id: r.id, reason: reason.trim() || undefined }, { onSuccess: () => { toast.success('Request withdrawn'); onClose(); } })}
    >
      <TextAreaField label="Reason (optional)" value={reason} onChange={setReason} maxLength={2000} />
    </ConfirmDialog>
  );
}
