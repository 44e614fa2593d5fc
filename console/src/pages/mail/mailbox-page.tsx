// The dev mailbox: what the platform sent (or would send over SMTP), readable here.
import { useState } from 'react';
import { useMail, useMailbox } from '../../api/mail.ts';
import type { Mail } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge, StatusBadge } from '../../components/badge.tsx';
import { Icon } from '../../components/icons.tsx';
import { PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { formatDateTime } from '../../lib/format.ts';
import { Link, navigate, useLocation } from '../../lib/router.tsx';

const URL_PATTERN = /https?:\/\/[^\s<>"')\]]+/g;
// Before the mail's own HTML: links open in a new tab, and a mail client's plain defaults
// (the mail's own styles still win).
const MAIL_FRAME_HEAD = '<base target="_blank"><meta name="color-scheme" content="light">'
  + '<style>body{margin:20px 22px;font:14px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1f1f23}a{color:#4f46e5}</style>';

export function MailboxPage() {
  const { me } = useSession();
  const { search } = useLocation();
  const isAdmin = me.user?.isPlatformAdmin ?? false;
  const scope = isAdmin && search.get('scope') === 'all' ? 'all' : 'workspace';
  const mailbox = useMailbox(scope);
  const mails = mailbox.data?.pages.flatMap((p) => p.data) ?? [];
  const selectedId = search.get('id') ?? mails[0]?.id ?? null;
  const fromList = mails.find((m) => m.id === selectedId);
  const single = useMail(selectedId, { enabled: scope === 'workspace' && !fromList && mailbox.isSuccess });
  const selected = fromList ?? single.data;
  const hrefFor = (id: string) => `/mail?${new URLSearchParams({ ...(scope === 'all' ? { scope } : {}), id })}`;

  return (
    <>
      <PageHeader
        title="Dev mailbox"
        description={scope === 'all' ? 'Every mail of every workspace on this installation.' : `Mails sent by the platform for ${me.workspace.name}. With SMTP configured they are also delivered; without it they wait here.`}
        actions={isAdmin ? (
          <div className="segmented" role="group" aria-label="Mailbox scope">
            <button type="button" aria-pressed={scope === 'workspace'} onClick={() => navigate('/mail')}>This workspace</button>
            <button type="button" aria-pressed={scope === 'all'} onClick={() => navigate('/mail?scope=all')}>All workspaces</button>
          </div>
        ) : null}
      />
      {mailbox.isPending ? (
        <Loading label="Loading mail…" />
      ) : mailbox.isError ? (
        <ErrorState error={mailbox.error} onRetry={() => void mailbox.refetch()} />
      ) : mails.length === 0 ? (
        <div className="card">
          <EmptyState icon="inbox" title="No mail yet">
            Invitations, welcome mails and security notices land here. <Link to="/members">Invite a teammate</Link> to see one.
          </EmptyState>
        </div>
      ) : (
        <div className="mailbox">
          <nav className="mail-list" aria-label="Mails">
            <ul>
              {mails.map((mail) => (
                <li key={mail.id}>
                  <Link to={hrefFor(mail.id)} className="mail-item" aria-current={mail.id === selectedId ? 'true' : undefined}>
                    <span className="mail-item-top">
                      <span className="mail-to">{mail.to}</span>
                      <RelativeTime iso={mail.createdAt} />
                    </span>
                    <span className="mail-subject">{mail.subject}</span>
                    <span className="mail-item-meta">
                      <Badge>{mail.kind}</Badge>
                      <StatusBadge status={mail.status} />
                    </span>
                  </Link>
                </li>
              ))}
            </ul>
            {mailbox.hasNextPage ? (
              <button type="button" className="btn btn-ghost btn-block" onClick={() => void mailbox.fetchNextPage()} disabled={mailbox.isFetchingNextPage}>
                {mailbox.isFetchingNextPage ? 'Loading…' : 'Load older mail'}
              </button>
            ) : null}
          </nav>
          <section className="mail-view" aria-label="Selected mail">
            {selected ? <MailView mail={selected} /> : single.isError ? <ErrorState error={single.error} /> : single.isFetching ? <Loading /> : <EmptyState icon="mail" title="Select a mail" />}
          </section>
        </div>
      )}
    </>
  );
}

function MailView({ mail }: { mail: Mail }) {
  const [view, setView] = useState<'html' | 'text'>('html');
  const links = [...new Set(mail.text.match(URL_PATTERN) ?? [])];
  const showHtml = mail.html !== null && view === 'html';

  return (
    <article className="mail">
      <header className="mail-header">
        <h2>{mail.subject}</h2>
        <dl className="mail-meta">
          <dt>To</dt>
          <dd>{mail.to}</dd>
          <dt>Date</dt>
          <dd>{formatDateTime(mail.createdAt)}</dd>
          <dt>Kind</dt>
          <dd><Badge>{mail.kind}</Badge> <StatusBadge status={mail.status} /></dd>
        </dl>
        {mail.html !== null ? (
          <div className="segmented segmented-sm" role="group" aria-label="Mail format">
            <button type="button" aria-pressed={view === 'html'} onClick={() => setView('html')}>HTML</button>
            <button type="button" aria-pressed={view === 'text'} onClick={() => setView('text')}>Text</button>
          </div>
        ) : null}
      </header>
      {links.length > 0 ? (
        <div className="mail-links">
          <span className="muted small">Links in this mail</span>
          <ul>
            {links.map((href) => (
              <li key={href}>
                <a href={href} target="_blank" rel="noreferrer" className="mail-link">
                  {href} <Icon name="external" size={12} />
                </a>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {showHtml ? (
        // The mail's HTML is untrusted: no scripts, no same-origin access; links open in a new tab.
        <iframe
          key={mail.id}
          className="mail-frame"
          title={`Mail: ${mail.subject}`}
          sandbox="allow-popups allow-popups-to-escape-sandbox"
          referrerPolicy="no-referrer"
          srcDoc={`${MAIL_FRAME_HEAD}${mail.html}`}
        />
      ) : (
        <pre className="mail-text">{linkify(mail.text)}</pre>
      )}
    </article>
  );
}

function linkify(text: string) {
  const parts: Array<string | { href: string }> = [];
  let last = 0;
  for (const match of text.matchAll(URL_PATTERN)) {
    parts.push(text.slice(last, match.index), { href: match[0] });
    last = match.index + match[0].length;
  }
  parts.push(text.slice(last));
  return parts.map((part, i) =>
    typeof part === 'string' ? part : (
      <a key={i} href={part.href} target="_blank" rel="noreferrer">
        {part.href}
      </a>
    ),
  );
}
