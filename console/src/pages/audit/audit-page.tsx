// The audit trail: filters, the events newest first, one event's detail with its diff, export
// (CSV or JSON, of what the filters select) and verification of the hash chain.
import { useState } from 'react';
import type { ReactNode } from 'react';
import { useAuditEvents, useExportAudit, useVerifyAuditChain } from '../../api/audit.ts';
import type { AuditEvent, AuditFilters, ChainVerification } from '../../api/audit.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { Notice, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { describeUserAgent, formatDateTime } from '../../lib/format.ts';

const ACTOR_TYPES = [
  { value: '', label: 'Anyone' },
  { value: 'user', label: 'User' },
  { value: 'api_key', label: 'API key' },
  { value: 'platform_admin', label: 'Platform admin' },
  { value: 'system', label: 'System' },
];
const OUTCOMES = [
  { value: '', label: 'Any outcome' },
  { value: 'success', label: 'Success' },
  { value: 'failure', label: 'Failure' },
  { value: 'denied', label: 'Denied' },
];
const OUTCOME_TONE: Record<AuditEvent['outcome'], BadgeTone> = { success: 'success', failure: 'danger', denied: 'warning' };
const ACTOR_LABEL: Record<AuditEvent['actorType'], string> = { user: 'User', api_key: 'API key', platform_admin: 'Platform admin', system: 'System' };

/** A datetime-local value (local time, no zone) as an ISO instant, or undefined. */
function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const date = new Date(local);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function shortId(id: string | null): string {
  return id ? `${id.slice(0, 8)}…` : '—';
}

export function AuditPage() {
  const { can } = useSession();
  const toast = useToast();
  const [form, setForm] = useState({ action: '', actorType: '', actorId: '', targetType: '', targetId: '', outcome: '', from: '', to: '' });
  const filters: AuditFilters = {
    action: form.action, actorType: form.actorType as AuditFilters['actorType'], actorId: form.actorId, targetType: form.targetType,
    targetId: form.targetId, outcome: form.outcome as AuditFilters['outcome'], from: toIso(form.from), to: toIso(form.to),
  };
  const events = useAuditEvents(filters);
  const verify = useVerifyAuditChain();
  const exporter = useExportAudit();
  const [selected, setSelected] = useState<AuditEvent | null>(null);
  const rows = events.data?.pages.flatMap((p) => p.data) ?? [];
  const hasFilters = Object.values(form).some((v) => v !== '');
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm((f) => ({ ...f, [key]: event.target.value }));

  const actions = (
    <div className="row">
      <button type="button" className="btn btn-secondary" onClick={() => verify.mutate()} disabled={verify.isPending}>
        <Icon name="shield" /> {verify.isPending ? 'Verifying…' : 'Verify chain'}
      </button>
      {can('audit.export') ? (
        <>
          {(['csv', 'json'] as const).map((format) => (
            <button
              key={format}
              type="button"
              className="btn btn-secondary"
              disabled={exporter.isPending}
              onClick={() => exporter.mutate({ format, filters }, {
                onSuccess: (r) => toast.success(`Exported ${format.toUpperCase()} (${Math.max(1, Math.round(r.bytes / 1024))} KB)`),
              })}
            >
              <Icon name="arrowRight" /> Export {format.toUpperCase()}
            </button>
          ))}
        </>
      ) : null}
    </div>
  );

  return (
    <>
      <PageHeader
        title="Audit trail"
        description="Every change in this workspace: who did it, from where, and what changed. Events can't be edited or deleted, and each is chained to the previous one by its hash."
        actions={actions}
      />
      {verify.data ? <VerifyResult result={verify.data} /> : null}
      {verify.error ? <Notice tone="warning">Verification could not run: {errorMessage(verify.error)}</Notice> : null}
      {exporter.error ? <Notice tone="warning">Export failed: {errorMessage(exporter.error)}</Notice> : null}

      <Card className="audit-filters">
        <form className="filter-grid" aria-label="Filter events" onSubmit={(e) => e.preventDefault()}>
          <TextField label="Action" value={form.action} onChange={set('action')} placeholder="member.* or api_key.created" hint="End with * for a prefix" />
          <SelectField label="Actor" value={form.actorType} onChange={set('actorType')} options={ACTOR_TYPES} />
          <TextField label="Actor id" value={form.actorId} onChange={set('actorId')} placeholder="uuid" pattern="[0-9a-fA-F-]{36}" />
          <TextField label="Target type" value={form.targetType} onChange={set('targetType')} placeholder="member, api_key…" />
          <TextField label="Target id" value={form.targetId} onChange={set('targetId')} />
          <SelectField label="Outcome" value={form.outcome} onChange={set('outcome')} options={OUTCOMES} />
          <TextField label="From" type="datetime-local" value={form.from} onChange={set('from')} />
          <TextField label="To" type="datetime-local" value={form.to} onChange={set('to')} />
          {hasFilters ? (
            <div className="filter-actions">
              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setForm({ action: '', actorType: '', actorId: '', targetType: '', targetId: '', outcome: '', from: '', to: '' })}>
                Clear filters
              </button>
            </div>
          ) : null}
        </form>
      </Card>

      <Card id="events">
        {events.isPending ? (
          <Loading label="Loading events…" />
        ) : events.isError ? (
          <ErrorState error={events.error} onRetry={() => void events.refetch()} />
        ) : rows.length === 0 ? (
          <EmptyState icon="inbox" title={hasFilters ? 'No event matches these filters' : 'No events yet'}>
            {hasFilters ? 'Widen the time range or clear a filter.' : 'Changes to members, keys, invitations and settings appear here as they happen.'}
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table table-clickable">
                <thead>
                  <tr>
                    <th scope="col">When</th>
                    <th scope="col">Action</th>
                    <th scope="col">Actor</th>
                    <th scope="col">Target</th>
                    <th scope="col">Outcome</th>
                    <th scope="col">From</th>
                    <th scope="col" className="num">#</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((e) => (
                    <tr key={e.id} onClick={() => setSelected(e)}>
                      <td title={formatDateTime(e.occurredAt)}><RelativeTime iso={e.occurredAt} /></td>
                      <td>
                        <button type="button" className="link-button" onClick={(ev) => { ev.stopPropagation(); setSelected(e); }}>
                          <code>{e.action}</code>
                        </button>
                      </td>
                      <td>{ACTOR_LABEL[e.actorType]} <span className="muted mono">{shortId(e.actorId)}</span></td>
                      <td>{e.targetType} <span className="muted mono">{e.targetId ? (e.targetId.length > 12 ? `${e.targetId.slice(0, 8)}…` : e.targetId) : ''}</span></td>
                      <td><Badge tone={OUTCOME_TONE[e.outcome]}>{e.outcome}</Badge></td>
                      <td className="muted">{e.ip ?? '—'}</td>
                      <td className="num muted">{e.seq ?? <span title="Sealed into the chain within seconds">sealing…</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            {events.hasNextPage ? (
              <div className="load-more">
                <button type="button" className="btn btn-secondary btn-sm" onClick={() => void events.fetchNextPage()} disabled={events.isFetchingNextPage}>
                  {events.isFetchingNextPage ? 'Loading…' : 'Load older events'}
                </button>
              </div>
            ) : null}
          </>
        )}
      </Card>

      <EventDetail event={selected} onClose={() => setSelected(null)} />
    </>
  );
}

function VerifyResult({ result }: { result: ChainVerification }) {
  if (result.isValid) {
    return (
      <Notice tone="success">
        <strong>The chain is intact.</strong> {result.checked} event{result.checked === 1 ? '' : 's'} checked
        {result.anchorSeq > 0 ? ` (from #${result.anchorSeq + 1}; older events were removed by the retention policy)` : ''}.
        {result.pending > 0 ? ` ${result.pending} event${result.pending === 1 ? '' : 's'} from the last seconds ${result.pending === 1 ? 'is' : 'are'} being sealed into it.` : ''}
      </Notice>
    );
  }
  const why = {
    seq_gap: 'events before it are missing',
    prev_hash_mismatch: 'it does not link to the event before it',
    hash_mismatch: 'its content does not match its hash',
    event_missing: 'the event was deleted',
    unsealed_event: 'an event was added outside the chain',
  }[result.reason ?? 'hash_mismatch'];
  return (
    <Notice tone="warning">
      <strong>The chain is broken {result.firstBrokenSeq === undefined ? `at event ${result.firstBrokenId}` : `at event #${result.firstBrokenSeq}`}</strong>: {why}. The trail may have been tampered with in the database; tell your platform operator.
    </Notice>
  );
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </>
  );
}

function EventDetail({ event, onClose }: { event: AuditEvent | null; onClose: () => void }) {
  return (
    <Dialog open={event !== null} onClose={onClose} title={event ? <code>{event.action}</code> : ''} description={event ? `${event.seq === null ? 'Being sealed' : `Event #${event.seq}`} · ${formatDateTime(event.occurredAt)}` : undefined} size="wide">
      {event ? (
        <div className="audit-detail">
          <dl className="definition-list">
            <Field label="Actor">{ACTOR_LABEL[event.actorType]} <span className="mono">{event.actorId ?? ''}</span></Field>
            {event.realActorId ? <Field label="Real actor">{event.realActorId}</Field> : null}
            <Field label="Target">{event.targetType} <span className="mono">{event.targetId ?? ''}</span></Field>
            <Field label="Outcome"><Badge tone={OUTCOME_TONE[event.outcome]}>{event.outcome}</Badge></Field>
            <Field label="From">{event.ip ?? '—'} · {describeUserAgent(event.userAgent)}</Field>
            <Field label="Request id"><span className="mono">{event.requestId ?? '—'}</span></Field>
            {event.traceId ? <Field label="Trace id"><span className="mono">{event.traceId}</span></Field> : null}
          </dl>
          <h3 className="detail-heading">Changes</h3>
          {event.diff ? (
            <div className="diff-grid">
              <div>
                <p className="small muted">Before</p>
                <pre className="diff-pre" data-testid="diff-before">{event.diff.before ? JSON.stringify(event.diff.before, null, 2) : '—'}</pre>
              </div>
              <div>
                <p className="small muted">After</p>
                <pre className="diff-pre" data-testid="diff-after">{event.diff.after ? JSON.stringify(event.diff.after, null, 2) : '—'}</pre>
              </div>
            </div>
          ) : (
            <p className="muted">This event records no field changes.</p>
          )}
          <h3 className="detail-heading">Hash chain</h3>
          {event.hash === null ? (
            <p className="muted">Recorded a moment ago: the event is being sealed into the workspace's chain (within seconds).</p>
          ) : (
            <dl className="definition-list">
              <Field label="Previous"><code className="hash">{event.prevHash}</code></Field>
              <Field label="This event"><code className="hash">{event.hash}</code></Field>
            </dl>
          )}
        </div>
      ) : null}
      <div className="dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={onClose}>Close</button>
      </div>
    </Dialog>
  );
}
