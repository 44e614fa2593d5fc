// Pieces shared by the requests pages: status badge, the timeline, the request form fields.
import { useId } from 'react';
import type { ReactNode } from 'react';
import { FREQUENCIES, FREQUENCY_LABELS, STATUS_LABELS, formatMoney } from '../../api/requests.ts';
import type { Frequency, RequestStatus, TimelineEntry } from '../../api/requests.ts';
import { Badge } from '../../components/badge.tsx';
import type { BadgeTone } from '../../components/badge.tsx';
import { SelectField, TextField } from '../../components/field.tsx';
import { RelativeTime } from '../../components/time.tsx';
import './requests-tickets.css';

const TONES: Record<RequestStatus, BadgeTone> = {
  submitted: 'neutral', reviewing: 'info', negotiation: 'info', contract_signed: 'accent', development: 'warning',
  deployed: 'success', rejected: 'danger', withdrawn: 'neutral',
};

export function RequestStatusBadge({ status }: { status: RequestStatus }) {
  return <Badge tone={TONES[status]}>{STATUS_LABELS[status]}</Badge>;
}

function actorLabel(entry: TimelineEntry): ReactNode {
  const name = entry.actorName ?? (entry.actorType === 'api_key' ? 'An API key' : 'Someone');
  return entry.actorType === 'platform_admin' ? <>{name} <Badge tone="accent">Atrium team</Badge></> : name;
}

function describe(entry: TimelineEntry): ReactNode {
  switch (entry.kind) {
    case 'submitted': return 'submitted the request';
    case 'updated': return `edited the request${Array.isArray(entry.details?.fields) ? ` (${(entry.details.fields as string[]).join(', ')})` : ''}`;
    case 'status_changed': return <>moved it from <RequestStatusBadge status={entry.fromStatus!} /> to <RequestStatusBadge status={entry.toStatus!} /></>;
    case 'withdrawn': return 'withdrew the request';
    case 'estimated': {
      // `amount` in estimates recorded before money became { amountMinor, currency } everywhere.
      const d = entry.details as { amountMinor?: number; amount?: number; currency?: string; deliveryDate?: string | null } | null;
      const minor = d?.amountMinor ?? d?.amount;
      const price = minor !== undefined && d?.currency ? formatMoney({ amountMinor: minor, currency: d.currency }) : '';
      return `estimated ${price}${d?.deliveryDate ? `, delivery by ${d.deliveryDate}` : ''}`;
    }
    case 'note': return entry.isInternal ? 'added an internal note' : 'wrote';
  }
}

export function Timeline({ entries }: { entries: TimelineEntry[] }) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {entries.map((entry) => (
        <li key={entry.id} className={`timeline-item${entry.isInternal ? ' timeline-item-internal' : ''}`}>
          <div className="timeline-head">
            <strong>{actorLabel(entry)}</strong>
            <span>{describe(entry)}</span>
            {entry.isInternal ? <Badge tone="warning">Internal</Badge> : null}
            <span className="muted small"><RelativeTime iso={entry.createdAt} /></span>
          </div>
          {entry.note ? <p className="timeline-note">{entry.note}</p> : null}
        </li>
      ))}
    </ol>
  );
}

/** A labelled multi-line field, styled as the console's other fields. */
export function TextAreaField({ label, value, onChange, maxLength, placeholder, required, hint }: {
  label: string; value: string; onChange: (value: string) => void; maxLength: number; placeholder?: string; required?: boolean; hint?: string;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className="input textarea" value={value} onChange={(e) => onChange(e.target.value)} maxLength={maxLength} placeholder={placeholder} required={required} />
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}

export type RequestFormState = { title: string; description: string; useCase: string; frequency: Frequency; budget: string; currency: string };

export const EMPTY_REQUEST_FORM: RequestFormState = { title: '', description: '', useCase: '', frequency: 'weekly', budget: '', currency: 'EUR' };

export function RequestFormFields({ value, onChange, errors }: { value: RequestFormState; onChange: (next: RequestFormState) => void; errors: (field: string) => string | undefined }) {
  const set = <K extends keyof RequestFormState>(key: K, v: RequestFormState[K]) => onChange({ ...value, [key]: v });
  return (
    <>
      <TextField label="Title" value={value.title} onChange={(e) => set('title', e.target.value)} required maxLength={200} placeholder="Weekly invoice digest" error={errors('title')} />
      <TextAreaField label="What should it do?" value={value.description} onChange={(v) => set('description', v)} maxLength={10000} placeholder="Collect the invoices received by email, extract totals, post a summary to Slack…" />
      <TextAreaField label="Use case" value={value.useCase} onChange={(v) => set('useCase', v)} maxLength={5000} placeholder="Who uses it, and what it saves them" />
      <div className="grid-2">
        <SelectField label="Frequency" value={value.frequency} onChange={(e) => set('frequency', e.target.value as Frequency)} options={FREQUENCIES.map((f) => ({ value: f, label: FREQUENCY_LABELS[f] }))} />
        <div className="row">
          <TextField label="Budget (optional)" inputMode="decimal" value={value.budget} onChange={(e) => set('budget', e.target.value)} placeholder="1500" error={errors('budget')} />
          <TextField label="Currency" value={value.currency} onChange={(e) => set('currency', e.target.value.toUpperCase())} maxLength={3} pattern="[A-Z]{3}" size={4} />
        </div>
      </div>
    </>
  );
}
