// Platform admin: every workspace's requests as a pipeline board (one column per status).
// A card opens the request: move it (one step forward, or reject), set the estimate, write
// notes for the client or internal ones. Every action is audited in the client's workspace.
import { useState } from 'react';
import { PIPELINE, STATUS_LABELS, formatMoney, toMajorUnits, toMinorUnits, useAddRequestNote, useAdminRequest, useAdminRequests, useEstimateRequest, useTransitionRequest } from '../../api/requests.ts';
import type { AdminRequest, AdminRequestDetail, RequestStatus } from '../../api/requests.ts';
import { ApiError, errorMessage } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { RequestStatusBadge, TextAreaField, Timeline } from './requests-shared.tsx';

export function RequestsBoardPage() {
  const [isShowingClosed, setIsShowingClosed] = useState(false);
  const open = useAdminRequests({ status: 'open' });
  const deployed = useAdminRequests({ status: 'deployed' });
  const rejected = useAdminRequests({ status: 'rejected' });
  const [selected, setSelected] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title="Request pipeline"
        description="Every workspace’s requests for new automations. Open a card to move it along, send an estimate or write a note; the client sees the timeline (internal notes excepted)."
        actions={
          <label className="checkbox">
            <input type="checkbox" checked={isShowingClosed} onChange={(e) => setIsShowingClosed(e.target.checked)} /> Show rejected
          </label>
        }
      />
      {open.isPending ? <Loading label="Loading the pipeline…" /> : open.isError ? <ErrorState error={open.error} onRetry={() => void open.refetch()} /> : (
        open.data.data.length === 0 && (deployed.data?.total ?? 0) === 0 ? (
          <Card><EmptyState icon="inbox" title="No requests yet">When a workspace asks for a new automation, it shows up here in the Submitted column.</EmptyState></Card>
        ) : (
          <div className="board" role="list" aria-label="Pipeline">
            {PIPELINE.map((status) => {
              const cards = status === 'deployed' ? (deployed.data?.data ?? []) : open.data.data.filter((r) => r.status === status);
              return (
                <section key={status} className="board-column" role="listitem" aria-label={STATUS_LABELS[status]}>
                  <div className="board-column-head"><span>{STATUS_LABELS[status]}</span><Badge>{status === 'deployed' ? (deployed.data?.total ?? 0) : cards.length}</Badge></div>
                  {cards.length === 0 ? <p className="board-empty">Nothing here</p> : cards.map((r) => <BoardCard key={r.id} request={r} onOpen={() => setSelected(r.id)} />)}
                </section>
              );
            })}
          </div>
        )
      )}
      {isShowingClosed ? (
        <Card id="rejected" title="Rejected">
          <QueryView query={rejected} loadingLabel="Loading…">
            {(page) => page.data.length === 0 ? <p className="muted">No rejected requests.</p> : (
              <div className="stack">{page.data.map((r) => <BoardCard key={r.id} request={r} onOpen={() => setSelected(r.id)} />)}</div>
            )}
          </QueryView>
        </Card>
      ) : null}
      {selected ? <RequestDialog id={selected} onClose={() => setSelected(null)} /> : null}
    </>
  );
}

function BoardCard({ request: r, onOpen }: { request: AdminRequest; onOpen: () => void }) {
  return (
    <button type="button" className="board-card" onClick={onOpen} aria-label={`${r.title}, ${r.workspace.name}`}>
      <span className="board-card-title">{r.title}</span>
      <span className="board-card-meta"><span>{r.workspace.name}</span>·<RelativeTime iso={r.statusChangedAt} /></span>
      <span className="board-card-meta">
        {r.estimate ? <Badge tone="accent">{formatMoney(r.estimate)}</Badge> : <Badge>No estimate</Badge>}
        {r.budget ? <span>budget {formatMoney(r.budget)}</span> : null}
      </span>
    </button>
  );
}

function RequestDialog({ id, onClose }: { id: string; onClose: () => void }) {
  const request = useAdminRequest(id);
  return (
    <Dialog open onClose={onClose} title={request.data ? request.data.title : 'Request'} description={request.data ? `${request.data.workspace.name} (${request.data.workspace.slug})` : undefined} size="wide">
      {request.isPending ? <Loading /> : request.isError ? <ErrorState error={request.error} onRetry={() => void request.refetch()} /> : <RequestPanel request={request.data} />}
      <div className="dialog-actions"><button type="button" className="btn btn-secondary" onClick={onClose}>Close</button></div>
    </Dialog>
  );
}

function RequestPanel({ request: r }: { request: AdminRequestDetail }) {
  const transition = useTransitionRequest();
  const toast = useToast();
  const [note, setNote] = useState('');
  const move = (to: RequestStatus) => transition.mutate({ id: r.id, to, note: note.trim() || undefined, expectedStatus: r.status }, {
    onSuccess: () => { toast.success(`Moved to ${STATUS_LABELS[to]}`); setNote(''); },
  });
  const isStale = transition.error instanceof ApiError && transition.error.code === 'REQUEST_STATUS_CHANGED';

  return (
    <div className="stack">
      <div className="row">
        <RequestStatusBadge status={r.status} />
        <span className="muted small">Frequency {r.frequency.replace('_', ' ')} · budget {r.budget ? formatMoney(r.budget) : 'not given'}</span>
      </div>
      {r.description ? <p className="pre-wrap">{r.description}</p> : null}
      {r.useCase ? <p className="pre-wrap muted">{r.useCase}</p> : null}

      {r.nextStatuses.length > 0 ? (
        <section className="stack" aria-label="Move">
          <TextAreaField label="Note for the client (optional, shown with the move)" value={note} onChange={setNote} maxLength={10000} />
          <div className="row">
            {r.nextStatuses.map((to) => (
              <button key={to} type="button" className={`btn ${to === 'rejected' ? 'btn-secondary btn-danger-text' : 'btn-primary'}`} disabled={transition.isPending} onClick={() => move(to)}>
                {to === 'rejected' ? 'Reject' : `Move to ${STATUS_LABELS[to]}`}
              </button>
            ))}
          </div>
          <FormError message={transition.error ? (isStale ? 'This request moved since you opened it; the view is refreshed.' : errorMessage(transition.error)) : null} />
        </section>
      ) : <p className="muted">This request is {STATUS_LABELS[r.status].toLowerCase()}: it no longer moves.</p>}

      {r.nextStatuses.length > 0 ? <EstimateForm request={r} /> : null}
      <NoteForm request={r} />
      <h3>Timeline</h3>
      <Timeline entries={r.timeline} />
    </div>
  );
}

function EstimateForm({ request: r }: { request: AdminRequestDetail }) {
  const estimate = useEstimateRequest();
  const toast = useToast();
  const [amount, setAmount] = useState(r.estimate ? toMajorUnits(r.estimate) : '');
  const [currency, setCurrency] = useState(r.estimate?.currency ?? r.budget?.currency ?? 'EUR');
  const [deliveryDate, setDeliveryDate] = useState(r.estimate?.deliveryDate ?? '');
  const [amountError, setAmountError] = useState<string | undefined>();
  return (
    <form
      className="estimate-form"
      aria-label="Set the estimate"
      onSubmit={(event) => {
        event.preventDefault();
        const minor = toMinorUnits(amount, currency);
        if (minor === null) {
          setAmountError('Enter an amount');
          return;
        }
        setAmountError(undefined);
        estimate.mutate({ id: r.id, amountMinor: minor, currency, deliveryDate: deliveryDate || null }, { onSuccess: () => toast.success('Estimate saved') });
      }}
    >
      <TextField label="Estimated price" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={amountError} placeholder="4200" />
      <TextField label="Currency" value={currency} onChange={(e) => setCurrency(e.target.value.toUpperCase())} maxLength={3} pattern="[A-Z]{3}" size={4} />
      <TextField label="Delivery date" type="date" value={deliveryDate} onChange={(e) => setDeliveryDate(e.target.value)} />
      <button type="submit" className="btn btn-secondary" disabled={estimate.isPending}>{r.estimate ? 'Revise estimate' : 'Send estimate'}</button>
      <FormError message={estimate.error ? errorMessage(estimate.error) : null} />
    </form>
  );
}

function NoteForm({ request: r }: { request: AdminRequestDetail }) {
  const add = useAddRequestNote();
  const toast = useToast();
  const [note, setNote] = useState('');
  const [isInternal, setIsInternal] = useState(true);
  return (
    <form
      className="stack"
      aria-label="Add a note"
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate({ id: r.id, note: note.trim(), isInternal }, { onSuccess: () => { toast.success(isInternal ? 'Internal note added' : 'Note sent to the client'); setNote(''); } });
      }}
    >
      <TextAreaField label="Note" value={note} onChange={setNote} maxLength={10000} />
      <div className="row">
        <label className="checkbox"><input type="checkbox" checked={isInternal} onChange={(e) => setIsInternal(e.target.checked)} /> Internal (platform admins only)</label>
        <button type="submit" className="btn btn-secondary" disabled={add.isPending || !note.trim()}>{isInternal ? 'Add internal note' : 'Send to client'}</button>
      </div>
      <FormError message={add.error ? errorMessage(add.error) : null} />
    </form>
  );
}
