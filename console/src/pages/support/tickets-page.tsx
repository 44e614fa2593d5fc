// Support: the workspace's tickets with the Atrium team, and a form to open one (optionally
// about a workflow execution).
import { useState } from 'react';
import { PRIORITY_LABELS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_STATUS_LABELS, useCreateTicket, useTickets } from '../../api/tickets.ts';
import type { TicketPriority, TicketStatus } from '../../api/tickets.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { navigate, useLocation } from '../../lib/router.tsx';
import { TextAreaField } from '../requests/requests-shared.tsx';
import { PriorityBadge, TicketStatusBadge } from './tickets-shared.tsx';

export function TicketsPage() {
  const { can } = useSession();
  const { search } = useLocation();
  const [status, setStatus] = useState<TicketStatus | ''>('');
  const [priority, setPriority] = useState<TicketPriority | ''>('');
  const tickets = useTickets({ status: status || undefined, priority: priority || undefined });
  // `?execution=<id>` (from a run's page) opens the form about that execution.
  const [creating, setCreating] = useState<{ executionId: string } | null>(() => (search.get('execution') ? { executionId: search.get('execution') ?? '' } : null));
  const canCreate = can('ticket.create');
  const isFiltered = Boolean(status || priority);

  const createButton = canCreate ? (
    <button type="button" className="btn btn-primary" onClick={() => setCreating({ executionId: '' })}>
      <Icon name="plus" /> New ticket
    </button>
  ) : null;

  return (
    <>
      <PageHeader title="Support" description="Questions and problems for the Atrium team. Follow the conversation in each ticket; you are notified here when they answer." actions={createButton} />
      <Card
        id="tickets"
        actions={
          <div className="toolbar">
            <label className="toolbar-field">
              <span>Status</span>
              <select className="input input-sm" value={status} onChange={(e) => setStatus(e.target.value as TicketStatus | '')}>
                <option value="">All</option>
                {TICKET_STATUSES.map((s) => <option key={s} value={s}>{TICKET_STATUS_LABELS[s]}</option>)}
              </select>
            </label>
            <label className="toolbar-field">
              <span>Priority</span>
              <select className="input input-sm" value={priority} onChange={(e) => setPriority(e.target.value as TicketPriority | '')}>
                <option value="">All</option>
                {TICKET_PRIORITIES.map((p) => <option key={p} value={p}>{PRIORITY_LABELS[p]}</option>)}
              </select>
            </label>
          </div>
        }
      >
        <QueryView query={tickets} loadingLabel="Loading tickets…">
          {(page) =>
            page.data.length === 0 ? (
              <EmptyState icon="inbox" title={isFiltered ? 'No tickets match' : 'No tickets yet'} action={isFiltered ? null : createButton}>
                {isFiltered ? 'Try other filters.' : canCreate ? 'Something not working, or a question? Open a ticket and the Atrium team answers here.' : 'Members with the right role can open tickets here.'}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table table-clickable">
                  <thead>
                    <tr>
                      <th scope="col">Subject</th>
                      <th scope="col">Status</th>
                      <th scope="col">Priority</th>
                      <th scope="col">Assigned to</th>
                      <th scope="col">Last activity</th>
                    </tr>
                  </thead>
                  <tbody>
                    {page.data.map((t) => (
                      <tr key={t.id} onClick={() => navigate(`/tickets/${t.id}`)}>
                        <td>
                          <a href={`/tickets/${t.id}`} onClick={(e) => { e.preventDefault(); navigate(`/tickets/${t.id}`); }}><strong>{t.subject}</strong></a>
                          <div className="muted small">Opened <RelativeTime iso={t.createdAt} /></div>
                        </td>
                        <td><TicketStatusBadge status={t.status} /></td>
                        <td><PriorityBadge priority={t.priority} /></td>
                        <td>{t.assignee?.name ?? <span className="muted">Not yet</span>}</td>
                        <td><RelativeTime iso={t.lastActivityAt} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>
      {creating ? <NewTicketDialog executionId={creating.executionId} onClose={() => setCreating(null)} /> : null}
    </>
  );
}

function NewTicketDialog({ executionId: initialExecution, onClose }: { executionId: string; onClose: () => void }) {
  const create = useCreateTicket();
  const toast = useToast();
  const [subject, setSubject] = useState('');
  const [description, setDescription] = useState('');
  const [priority, setPriority] = useState<TicketPriority>('normal');
  const [executionId, setExecutionId] = useState(initialExecution);
  const executionError = create.error && (fieldError(create.error, 'executionId', ['TICKET_EXECUTION_NOT_FOUND']));
  const formError = create.error && !executionError && !fieldError(create.error, 'subject') ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="Open a support ticket" description="Describe what happened and what you expected. The Atrium team answers in the ticket." size="wide">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({ subject: subject.trim(), description, priority, ...(executionId.trim() ? { executionId: executionId.trim() } : {}) }, {
            onSuccess: (ticket) => {
              toast.success('Ticket opened');
              onClose();
              navigate(`/tickets/${ticket.id}`);
            },
          });
        }}
      >
        <TextField label="Subject" value={subject} onChange={(e) => setSubject(e.target.value)} required maxLength={200} error={fieldError(create.error, 'subject')} />
        <TextAreaField label="Description" value={description} onChange={setDescription} maxLength={20000} />
        <div className="grid-2">
          <SelectField label="Priority" value={priority} onChange={(e) => setPriority(e.target.value as TicketPriority)} options={TICKET_PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))} />
          <TextField label="Workflow execution id (optional)" value={executionId} onChange={(e) => setExecutionId(e.target.value)} placeholder="0190…" error={executionError || undefined} hint="The run this is about, from its page" />
        </div>
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !subject.trim()}>{create.isPending ? 'Opening…' : 'Open ticket'}</button>
        </div>
      </form>
    </Dialog>
  );
}
