// Platform admin: every workspace's tickets (filter by status, priority, assignee), and one
// ticket's page to assign it, change its status and priority, reply or add internal notes.
import { useEffect, useState } from 'react';
import { PRIORITY_LABELS, TICKET_PRIORITIES, TICKET_STATUSES, TICKET_STATUS_LABELS, useAdminReply, useAdminTicket, useAdminTickets, useAdminUpdateTicket, useAssignees } from '../../api/tickets.ts';
import type { AdminTicketDetail, AdminTicketFilter, TicketPriority, TicketStatus } from '../../api/tickets.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { FormError, SelectField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, matchPath, navigate, useLocation } from '../../lib/router.tsx';
import { TextAreaField } from '../requests/requests-shared.tsx';
import { PriorityBadge, Thread, TicketStatusBadge } from './tickets-shared.tsx';

const PAGE_SIZE = 25;

export function AdminTicketsPage() {
  const { me } = useSession();
  const [status, setStatus] = useState<AdminTicketFilter['status'] | ''>('active');
  const [priority, setPriority] = useState<TicketPriority | ''>('');
  const [assignee, setAssignee] = useState('');
  const [page, setPage] = useState(0);
  const filter: AdminTicketFilter = { status: status || undefined, priority: priority || undefined, assigneeId: assignee || undefined };
  const tickets = useAdminTickets(filter, { limit: PAGE_SIZE, offset: page * PAGE_SIZE });
  const assignees = useAssignees();
  useEffect(() => setPage(0), [status, priority, assignee]);

  return (
    <>
      <PageHeader title="Support tickets" description="Every workspace’s tickets, most urgent first. Assign them, answer the client, and keep internal notes the client never sees." />
      <Card
        id="admin-tickets"
        actions={
          <div className="toolbar">
            <label className="toolbar-field">
              <span>Status</span>
              <select className="input input-sm" value={status} onChange={(e) => setStatus(e.target.value as AdminTicketFilter['status'] | '')}>
                <option value="active">Active (open, in progress, waiting)</option>
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
            <label className="toolbar-field">
              <span>Assignee</span>
              <select className="input input-sm" value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                <option value="">Anyone</option>
                {me.user ? <option value={me.user.id}>Me</option> : null}
                <option value="none">Unassigned</option>
                {(assignees.data?.data ?? []).filter((a) => a.id !== me.user?.id).map((a) => <option key={a.id} value={a.id}>{a.name}</option>)}
              </select>
            </label>
          </div>
        }
      >
        <QueryView query={tickets} loadingLabel="Loading tickets…">
          {(result) =>
            result.data.length === 0 ? (
              <EmptyState icon="inbox" title="No tickets match">{status === 'active' && !priority && !assignee ? 'Nothing waits for the team. Tickets clients open show up here.' : 'Try other filters.'}</EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table table-clickable">
                  <thead>
                    <tr>
                      <th scope="col">Subject</th>
                      <th scope="col">Workspace</th>
                      <th scope="col">Priority</th>
                      <th scope="col">Status</th>
                      <th scope="col">Assignee</th>
                      <th scope="col">Last activity</th>
                    </tr>
                  </thead>
                  <tbody>
                    {result.data.map((t) => (
                      <tr key={t.id} onClick={() => navigate(`/admin/tickets/${t.id}`)}>
                        <td><a href={`/admin/tickets/${t.id}`} onClick={(e) => { e.preventDefault(); navigate(`/admin/tickets/${t.id}`); }}><strong>{t.subject}</strong></a></td>
                        <td>{t.workspace.name}</td>
                        <td><PriorityBadge priority={t.priority} /></td>
                        <td><TicketStatusBadge status={t.status} isAdmin /></td>
                        <td>{t.assignee?.name ?? <span className="muted">Unassigned</span>}</td>
                        <td><RelativeTime iso={t.lastActivityAt} /></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
                <div className="pagination">
                  <span className="muted small">{result.offset + 1}–{result.offset + result.data.length} of {result.total}</span>
                  <button type="button" className="btn btn-secondary btn-sm" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
                  <button type="button" className="btn btn-secondary btn-sm" disabled={result.offset + result.data.length >= result.total} onClick={() => setPage(page + 1)}>Next</button>
                </div>
              </div>
            )
          }
        </QueryView>
      </Card>
    </>
  );
}

export function AdminTicketDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/admin/tickets/:id', pathname)?.id ?? '';
  const ticket = useAdminTicket(id);
  return (
    <QueryView query={ticket} loadingLabel="Loading the ticket…">
      {(t) => <AdminTicketView ticket={t} />}
    </QueryView>
  );
}

function AdminTicketView({ ticket: t }: { ticket: AdminTicketDetail }) {
  const update = useAdminUpdateTicket(t.id);
  const assignees = useAssignees();
  const { me } = useSession();
  const toast = useToast();
  const change = (changes: Parameters<typeof update.mutate>[0], message: string) => update.mutate(changes, { onSuccess: () => toast.success(message) });

  return (
    <>
      <p className="small"><Link to="/admin/tickets">← All tickets</Link></p>
      <PageHeader
        title={<span className="row">{t.subject} <TicketStatusBadge status={t.status} isAdmin /> <PriorityBadge priority={t.priority} /></span>}
        description={<>{t.workspace.name} ({t.workspace.slug}) · opened <RelativeTime iso={t.createdAt} /></>}
        actions={me.user && t.assignee?.id !== me.user.id ? <button type="button" className="btn btn-secondary" disabled={update.isPending} onClick={() => change({ assigneeId: me.user!.id }, 'Assigned to you')}>Assign to me</button> : null}
      />
      <div className="split">
        <Card id="admin-ticket-thread" title="Conversation">
          <div className="stack">
            {t.description ? <p className="pre-wrap">{t.description}</p> : null}
            <Thread comments={t.comments} emptyText="No replies yet." />
            <AdminReplyForm ticket={t} />
          </div>
        </Card>
        <Card id="admin-ticket-details" title="Handling">
          <div className="stack">
            <SelectField label="Status" value={t.status} disabled={update.isPending}
              onChange={(e) => change({ status: e.target.value as TicketStatus }, `Status: ${e.target.value === 'waiting' ? 'Waiting on client' : TICKET_STATUS_LABELS[e.target.value as TicketStatus]}`)}
              options={TICKET_STATUSES.map((s) => ({ value: s, label: s === 'waiting' ? 'Waiting on client' : TICKET_STATUS_LABELS[s] }))} />
            <SelectField label="Priority" value={t.priority} disabled={update.isPending}
              onChange={(e) => change({ priority: e.target.value as TicketPriority }, `Priority: ${PRIORITY_LABELS[e.target.value as TicketPriority]}`)}
              options={TICKET_PRIORITIES.map((p) => ({ value: p, label: PRIORITY_LABELS[p] }))} />
            <SelectField label="Assignee" value={t.assignee?.id ?? ''} disabled={update.isPending || assignees.isPending}
              onChange={(e) => change({ assigneeId: e.target.value || null }, e.target.value ? 'Assigned' : 'Unassigned')}
              options={[{ value: '', label: 'Unassigned' }, ...(assignees.data?.data ?? []).map((a) => ({ value: a.id, label: `${a.name} (${a.email})` }))]} />
            <FormError message={update.error ? errorMessage(update.error) : null} />
            <dl className="definition-list">
              <dt>Execution</dt><dd>{t.executionId ? <code className="small">{t.executionId}</code> : <span className="muted">—</span>}</dd>
              <dt>Resolved</dt><dd><RelativeTime iso={t.resolvedAt} never="—" /></dd>
              <dt>Closed</dt><dd><RelativeTime iso={t.closedAt} never="—" /></dd>
            </dl>
          </div>
        </Card>
      </div>
    </>
  );
}

function AdminReplyForm({ ticket: t }: { ticket: AdminTicketDetail }) {
  const reply = useAdminReply(t.id);
  const toast = useToast();
  const [body, setBody] = useState('');
  const [isInternal, setIsInternal] = useState(t.status === 'closed');
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        reply.mutate({ body: body.trim(), isInternal }, { onSuccess: () => { setBody(''); toast.success(isInternal ? 'Internal note added' : 'Reply sent'); } });
      }}
    >
      <TextAreaField label={isInternal ? 'Internal note (platform admins only)' : 'Reply to the client'} value={body} onChange={setBody} maxLength={20000} />
      <FormError message={reply.error ? errorMessage(reply.error) : null} />
      <div className="row">
        <label className="checkbox"><input type="checkbox" checked={isInternal} onChange={(e) => setIsInternal(e.target.checked)} /> Internal note</label>
        <button type="submit" className="btn btn-primary" disabled={reply.isPending || !body.trim()}>{isInternal ? 'Add note' : 'Send reply'}</button>
      </div>
    </form>
  );
}
