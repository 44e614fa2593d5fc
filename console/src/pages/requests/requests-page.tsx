// Requests: what the workspace asked the agency to build, with their progress; and a form to
// ask for a new automation. The pipeline is moved by the agency (platform admins).
import { useState } from 'react';
import { FREQUENCY_LABELS, REQUEST_STATUSES, STATUS_LABELS, formatMoney, toMinorUnits, useCreateRequest, useRequests } from '../../api/requests.ts';
import type { RequestStatus } from '../../api/requests.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { navigate } from '../../lib/router.tsx';
import { EMPTY_REQUEST_FORM, RequestFormFields, RequestStatusBadge } from './requests-shared.tsx';
import type { RequestFormState } from './requests-shared.tsx';

export function RequestsPage() {
  const { can } = useSession();
  const [status, setStatus] = useState<RequestStatus | ''>('');
  const requests = useRequests(status || undefined);
  const [isCreating, setIsCreating] = useState(false);
  const canCreate = can('request.create');

  const createButton = canCreate ? (
    <button type="button" className="btn btn-primary" onClick={() => setIsCreating(true)}>
      <Icon name="plus" /> New request
    </button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Requests"
        description="Ask for a new automation and follow it from review to deployment. The Atrium team reviews each request, sends an estimate and keeps the timeline up to date."
        actions={createButton}
      />
      <Card
        id="requests"
        actions={
          <label className="toolbar-field">
            <span>Status</span>
            <select className="input input-sm" value={status} onChange={(e) => setStatus(e.target.value as RequestStatus | '')} aria-label="Filter by status">
              <option value="">All</option>
              {REQUEST_STATUSES.map((s) => <option key={s} value={s}>{STATUS_LABELS[s]}</option>)}
            </select>
          </label>
        }
      >
        <QueryView query={requests} loadingLabel="Loading requests…">
          {(page) =>
            page.data.length === 0 ? (
              <EmptyState icon="inbox" title={status ? `No ${STATUS_LABELS[status].toLowerCase()} requests` : 'No requests yet'} action={status ? null : createButton}>
                {status ? 'Try another status.' : canCreate ? 'Describe the automation you need: what it should do, how often, and your budget.' : 'Members with the right role can ask for new automations here.'}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table table-clickable">
                  <thead>
                    <tr>
                      <th scope="col">Request</th>
                      <th scope="col">Status</th>
                      <th scope="col">Frequency</th>
                      <th scope="col">Budget</th>
                      <th scope="col">Estimate</th>
                      <th scope="col">Updated</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((r) => (
                      <tr key={r.id} onClick={() => navigate(`/requests/${r.id}`)}>
                        <td>
                          <a href={`/requests/${r.id}`} onClick={(e) => { e.preventDefault(); navigate(`/requests/${r.id}`); }}><strong>{r.title}</strong></a>
                          <div className="muted small">Submitted <RelativeTime iso={r.createdAt} /></div>
                        </td>
                        <td><RequestStatusBadge status={r.status} /></td>
                        <td>{FREQUENCY_LABELS[r.frequency]}</td>
                        <td>{r.budget ? formatMoney(r.budget) : <span className="muted">—</span>}</td>
                        <td>{r.estimate ? formatMoney(r.estimate) : <span className="muted">Not yet</span>}</td>
                        <td><RelativeTime iso={r.updatedAt} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                {page.total > page.data.length ? <p className="muted small">Showing the {page.data.length} newest of {page.total}.</p> : null}
              </div>
            )
          }
        </QueryView>
      </Card>
      {isCreating ? <NewRequestDialog onClose={() => setIsCreating(false)} /> : null}
    </>
  );
}

function NewRequestDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateRequest();
  const toast = useToast();
  const [form, setForm] = useState<RequestFormState>(EMPTY_REQUEST_FORM);
  const [budgetError, setBudgetError] = useState<string | undefined>();
  const errors = (field: string) => (field === 'budget' ? budgetError ?? fieldError(create.error, 'budget') : fieldError(create.error, field));
  const formError = create.error && !['title', 'budget', 'frequency'].some((f) => fieldError(create.error, f)) ? errorMessage(create.error) : null;

  return (
    <Dialog open onClose={onClose} title="Ask for a new automation" description="The Atrium team reviews it and answers in the request’s timeline." size="wide">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const amount = form.budget.trim() ? toMinorUnits(form.budget, form.currency) : null;
          if (form.budget.trim() && amount === null) {
            setBudgetError('Enter an amount, like 1500 or 1500.50');
            return;
          }
          setBudgetError(undefined);
          create.mutate({
            title: form.title.trim(), description: form.description, useCase: form.useCase, frequency: form.frequency,
            budget: amount === null ? null : { amountMinor: amount, currency: form.currency },
          }, {
            onSuccess: (created) => {
              toast.success('Request submitted');
              onClose();
              navigate(`/requests/${created.id}`);
            },
          });
        }}
      >
        <RequestFormFields value={form} onChange={setForm} errors={errors} />
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !form.title.trim()}>
            {create.isPending ? 'Submitting…' : 'Submit request'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
