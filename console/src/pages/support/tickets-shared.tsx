// Pieces shared by the support pages: badges and the comment thread.
import { PRIORITY_LABELS, TICKET_STATUS_LABELS } from '../../api/tickets.ts';
import type { TicketComment, TicketPriority, TicketStatus } from '../../api/tickets.ts';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { RelativeTime } from '../../components/time.tsx';
import '../requests/requests-tickets.css';

const STATUS_TONES: Record<TicketStatus, BadgeTone> = { open: 'info', in_progress: 'accent', waiting: 'warning', resolved: 'success', closed: 'neutral' };
const PRIORITY_TONES: Record<TicketPriority, BadgeTone> = { low: 'neutral', normal: 'neutral', high: 'warning', urgent: 'danger' };

export function TicketStatusBadge({ status, isAdmin = false }: { status: TicketStatus; isAdmin?: boolean }) {
  return <Badge tone={STATUS_TONES[status]}>{isAdmin && status === 'waiting' ? 'Waiting on client' : TICKET_STATUS_LABELS[status]}</Badge>;
}

export function PriorityBadge({ priority }: { priority: TicketPriority }) {
  return <Badge tone={PRIORITY_TONES[priority]}>{PRIORITY_LABELS[priority]}</Badge>;
}

export function Thread({ comments, emptyText }: { comments: TicketComment[]; emptyText: string }) {
  if (comments.length === 0) return <p className="muted">{emptyText}</p>;
  return (
    <ol className="thread" aria-label="Conversation">
      {comments.map((c) => {
        const isStaff = c.authorType === 'platform_admin';
        return (
          <li key={c.id} className={`thread-item${c.isInternal ? ' thread-item-internal' : isStaff ? ' thread-item-staff' : ''}`}>
            <div className="thread-head">
              <strong>{c.authorName ?? (c.authorType === 'api_key' ? 'API key' : 'Someone')}</strong>
              {isStaff ? <Badge tone="accent">Atrium team</Badge> : null}
              {c.isInternal ? <Badge tone="warning">Internal note</Badge> : null}
              <span className="muted small"><RelativeTime iso={c.createdAt} /></span>
            </div>
            <p className="thread-body">{c.body}</p>
          </li>
        );
      })}
    </ol>
  );
}
