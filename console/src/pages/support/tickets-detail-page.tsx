// One ticket: the conversation with the Atrium team, a reply box, and closing it.
import { useState } from 'react';
import { useCloseTicket, useCommentOnTicket, useTicket } from '../../api/tickets.ts';
import type { TicketDetail } from '../../api/tickets.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { FormError } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link, matchPath, useLocation } from '../../lib/router.tsx';
import { TextAreaField } from '../requests/requests-shared.tsx';
import { PriorityBadge, Thread, TicketStatusBadge } from './tickets-shared.tsx';

export function TicketDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/tickets/:id', pathname)?.id ?? '';
  const ticket = useTicket(id);
  return (
    <QueryView query={ticket} loadingLabel="Loading the ticket…">
      {(t) => <TicketView ticket={t} />}
    </QueryView>
  );
}

function TicketView({ ticket: t }: { ticket: TicketDetail }) {
  const { can } = useSession();
  const [isClosing, setIsClosing] = useState(false);
  const close = useCloseTicket(t.id);
  const toast = useToast();
  const isClosed = t.status === 'closed';

  return (
    <>
      <p className="small"><Link to="/tickets">← All tickets</Link></p>
      <PageHeader
        title={<span className="row">{t.subject} <TicketStatusBadge status={t.status} /> <PriorityBadge priority={t.priority} /></span>}
        description={<>Opened <RelativeTime iso={t.createdAt} />{t.assignee ? ` · handled by ${t.assignee.name}` : ' · not assigned yet'}</>}
        actions={can('ticket.create') && !isClosed ? <button type="button" className="btn btn-secondary" onClick={() => setIsClosing(true)}>Close ticket</button> : null}
      />
      <div className="split">
        <Card id="ticket-thread" title="Conversation">
          <div className="stack">
            {t.description ? <p className="pre-wrap">{t.description}</p> : null}
            <Thread comments={t.comments} emptyText="No replies yet. The Atrium team answers here." />
            {isClosed ? <p className="muted">This ticket is closed. Open a new one if you need more help.</p> : can('ticket.comment') ? <ReplyForm ticket={t} /> : null}
          </div>
        </Card>
        <Card id="ticket-details" title="Details">
          <dl className="definition-list">
            <dt>Status</dt><dd><TicketStatusBadge status={t.status} /></dd>
            <dt>Priority</dt><dd><PriorityBadge priority={t.priority} /></dd>
            <dt>Assigned to</dt><dd>{t.assignee?.name ?? <span className="muted">Not yet</span>}</dd>
            <dt>Execution</dt><dd>{t.executionId ? <code className="small">{t.executionId}</code> : <span className="muted">—</span>}</dd>
            <dt>Last activity</dt><dd><RelativeTime iso={t.lastActivityAt} /></dd>
          </dl>
        </Card>
      </div>
      <ConfirmDialog
        open={isClosing}
        title="Close this ticket?"
        description="Close it when your problem is solved. A closed ticket takes no more replies."
        confirmLabel="Close ticket"
        tone="primary"
        isPending={close.isPending}
        error={close.error ? errorMessage(close.error) : null}
        onClose={() => setIsClosing(false)}
        onConfirm={() => close.mutate(undefined, { onSuccess: () => { toast.success('Ticket closed'); setIsClosing(false); } })}
      />
    </>
  );
}

function ReplyForm({ ticket: t }: { ticket: TicketDetail }) {
  const comment = useCommentOnTicket(t.id);
  const [body, setBody] = useState('');
  return (
    <form
      className="stack"
      onSubmit={(event) => {
        event.preventDefault();
        comment.mutate(body.trim(), { onSuccess: () => setBody('') });
      }}
    >
      <TextAreaField label="Reply" value={body} onChange={setBody} maxLength={20000} hint={t.status === 'waiting' || t.status === 'resolved' ? 'Replying reopens the ticket.' : undefined} />
      <FormError message={comment.error ? errorMessage(comment.error) : null} />
      <div className="row"><button type="submit" className="btn btn-primary" disabled={comment.isPending || !body.trim()}>{comment.isPending ? 'Sending…' : 'Send reply'}</button></div>
    </form>
  );
}
