// Platform admin: one client, the whole picture (GET /admin/workspaces/:id) — usage over a chosen
// window, the account (plan, subscription, notes, metadata) with its edit form (PATCH, audited by
// the server), members, workflows, requests, tickets and the latest audit events.
import { useState } from 'react';
import type { FormEvent } from 'react';
import { useAdminUpdateAccount, useAdminWorkspaceBuilds, useAdminWorkspaceOverview } from '../../api/admin.ts';
import type { AccountPatch, OverviewWindow, WorkspaceOverview } from '../../api/admin.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { Badge, RoleBadge, StatusBadge } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { formatUsd, useAdminQuotas, useSetAdminQuota } from '../../api/ai.ts';
import { Gauge, QuotaDialog } from '../usage/quota-parts.tsx';
import { EmptyState, ErrorState, Loading, QueryView, Spinner } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { capitalize, formatDate, formatDuration, formatMoney, formatPercent, minorDigits } from '../../lib/format.ts';
import { Link, matchPath, useLocation } from '../../lib/router.tsx';
import type { Role } from '../../api/types.ts';

const DAY_MS = 86_400_000;
const WINDOWS = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
  { days: 365, label: 'Last 12 months' },
] as const;

const PERIOD_LABEL = { month: 'month', year: 'year' } as const;
const SUBSCRIPTION_TONE = { active: 'success', past_due: 'warning', cancelled: 'neutral' } as const;

/** The window ends at the start of the current minute, so the query key is stable for a minute. */
function windowOf(days: number): OverviewWindow {
  const to = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  return { from: new Date(to.getTime() - days * DAY_MS).toISOString(), to: to.toISOString() };
}

export function AdminWorkspaceDetailPage() {
  const { pathname } = useLocation();
  const id = matchPath('/admin/workspaces/:id', pathname)?.id ?? '';
  const [days, setDays] = useState<number>(30);
  const overview = useAdminWorkspaceOverview(id, windowOf(days));

  if (overview.isPending) return <Loading label="Loading the workspace…" />;
  if (overview.isError) return <ErrorState error={overview.error} onRetry={() => void overview.refetch()} />;
  return <Overview data={overview.data} days={days} onDays={setDays} isRefreshing={overview.isFetching} />;
}

function Overview({ data: w, days, onDays, isRefreshing }: { data: WorkspaceOverview; days: number; onDays: (d: number) => void; isRefreshing: boolean }) {
  const [isEditing, setIsEditing] = useState(false);
  const { usage } = w;
  return (
    <>
      <p className="small"><Link to="/admin/workspaces">← All workspaces</Link></p>
      <PageHeader
        title={<span className="row">{w.name} <StatusBadge status={w.status} /> <Badge tone="info">{capitalize(w.plan)}</Badge></span>}
        description={<><span className="mono">{w.slug}</span> · {capitalize(w.kind)} · created <RelativeTime iso={w.createdAt} />{w.statusReason && w.status !== 'active' ? ` · ${w.statusReason}` : ''}</>}
        actions={<button type="button" className="btn btn-primary" onClick={() => setIsEditing(true)}><Icon name="settings" /> Edit account</button>}
      />

      <div className="toolbar">
        <label className="toolbar-field">
          <span>Usage</span>
          <select className="input" value={days} onChange={(e) => onDays(Number(e.target.value))} aria-label="Usage window">
            {WINDOWS.map((o) => <option key={o.days} value={o.days}>{o.label}</option>)}
          </select>
        </label>
        {isRefreshing ? <Spinner /> : null}
      </div>

      <div className="stats" data-testid="workspace-usage">
        <Figure label="Executions" value={usage.executions.toLocaleString()} sub={`${usage.completed} completed · ${usage.failed} failed${usage.running ? ` · ${usage.running} running` : ''}`} />
        <Figure label="Success rate" value={formatPercent(usage.successRate)} sub="completed / finished" />
        <Figure label="Revenue" value={formatMoney(usage.revenue)} sub={`cost ${formatMoney(usage.cost)}`} />
        <Figure label="API errors" value={usage.serverErrors.toLocaleString()} sub={`5xx · ${usage.clientErrors} 4xx of ${usage.apiRequests.toLocaleString()} requests`} tone={usage.serverErrors > 0 ? 'danger' : undefined} />
        <Figure label="Average run" value={formatDuration(usage.averageDurationMs)} sub="completed runs" />
      </div>

      <div className="grid-2">
        <AccountCard data={w} onEdit={() => setIsEditing(true)} />
        <AiLimitsCard workspaceId={w.id} />
        <Card id="ws-members" title={`Members (${w.members.length})`}>
          {w.members.length === 0 ? <EmptyState icon="users" title="No members">Nobody can sign in to this workspace.</EmptyState> : (
            <ul className="plain-list">
              {w.members.map((m) => (
                <li key={m.userId} className="row" style={{ justifyContent: 'space-between' }}>
                  <span><strong>{m.name || m.email}</strong> <span className="muted small">{m.email}</span></span>
                  <RoleBadge role={m.role as Role} />
                </li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card id="ws-workflows" title="Workflows" description="Deployed version and last run of each workflow; executions and success rate are all-time.">
        {w.workflows.length === 0 ? <EmptyState icon="refresh" title="No workflows yet">This client has not built or been given a workflow.</EmptyState> : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">Workflow</th><th scope="col">Status</th><th scope="col">Deployed</th><th scope="col">Last run</th><th scope="col" className="num">Runs</th><th scope="col" className="num">Success</th></tr></thead>
              <tbody>
                {w.workflows.map((f) => (
                  <tr key={f.id}>
                    <td><strong>{f.name}</strong></td>
                    <td><StatusBadge status={f.status} /></td>
                    <td>{f.deployedVersion === null ? <span className="muted">not deployed</span> : <>v{f.deployedVersion}{f.deployedAt ? <span className="muted small block"><RelativeTime iso={f.deployedAt} /></span> : null}</>}</td>
                    <td>{f.lastExecution ? <><StatusBadge status={f.lastExecution.status} /> <span className="muted small"><RelativeTime iso={f.lastExecution.createdAt} /></span></> : <span className="muted">never</span>}</td>
                    <td className="num">{f.executionCount.toLocaleString()}</td>
                    <td className="num">{formatPercent(f.successRate)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      <BuildsCard workspaceId={w.id} />

      <div className="grid-2">
        <Card id="ws-requests" title={`Requests (${w.requests.total})`} actions={<Link to="/admin/requests" className="btn btn-ghost btn-sm">Pipeline</Link>}>
          <Counts byStatus={w.requests.byStatus} />
          {w.requests.latest.length === 0 ? <p className="muted">No workflow request yet.</p> : (
            <ul className="plain-list">
              {w.requests.latest.map((r) => (
                <li key={r.id}><StatusBadge status={r.status} /> {r.title} <span className="muted small"><RelativeTime iso={r.createdAt} /></span></li>
              ))}
            </ul>
          )}
        </Card>
        <Card id="ws-tickets" title={`Support tickets (${w.tickets.total})`} actions={<Link to="/admin/tickets" className="btn btn-ghost btn-sm">All tickets</Link>}>
          <Counts byStatus={w.tickets.byStatus} />
          {w.tickets.latest.length === 0 ? <p className="muted">No ticket yet.</p> : (
            <ul className="plain-list">
              {w.tickets.latest.map((t) => (
                <li key={t.id}><StatusBadge status={t.status} /> <Link to={`/admin/tickets/${t.id}`}>{t.subject}</Link> <span className="muted small">{t.priority} · <RelativeTime iso={t.lastActivityAt} /></span></li>
              ))}
            </ul>
          )}
        </Card>
      </div>

      <Card id="ws-audit" title="Recent activity" description="The latest events of this workspace’s audit trail, account changes included.">
        {w.recentAudit.length === 0 ? <p className="muted">Nothing recorded yet.</p> : (
          <div className="table-wrap">
            <table className="table">
              <thead><tr><th scope="col">When</th><th scope="col">Action</th><th scope="col">Actor</th><th scope="col">Outcome</th></tr></thead>
              <tbody>
                {w.recentAudit.map((e) => (
                  <tr key={e.id}>
                    <td><RelativeTime iso={e.occurredAt} /></td>
                    <td className="mono">{e.action}</td>
                    <td>{e.actorType.replace('_', ' ')}</td>
                    <td><StatusBadge status={e.outcome} /></td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Card>

      {isEditing ? <EditAccountDialog data={w} onClose={() => setIsEditing(false)} /> : null}
    </>
  );
}

/** The workspace's branch of the build repository and its latest builds (issue 15). */
function BuildsCard({ workspaceId }: { workspaceId: string }) {
  const builds = useAdminWorkspaceBuilds(workspaceId);
  return (
    <Card id="ws-builds" title="Builds" description="Each deploy compiles the workflow to code committed on this workspace's branch of the build repository.">
      <QueryView query={builds} loadingLabel="Loading builds…">
        {(b) => (
          <>
            <p className="small">Branch <code>{b.branch ?? '—'}</code>{b.head ? <> at <code>{b.head.slice(0, 10)}</code></> : ' (no build yet)'}{b.folder ? <>, files under <code>{b.folder}/</code></> : null}</p>
            {b.builds.length === 0 ? <EmptyState icon="refresh" title="No builds yet">A deploy of one of its workflows builds it.</EmptyState> : (
              <div className="table-wrap">
                <table className="table" data-testid="admin-builds-table">
                  <thead><tr><th scope="col">When</th><th scope="col">Workflow</th><th scope="col">Version</th><th scope="col">Status</th><th scope="col">Commit</th><th scope="col">Tag</th></tr></thead>
                  <tbody>
                    {b.builds.map((x) => (
                      <tr key={x.id}>
                        <td><RelativeTime iso={x.createdAt} /><div className="muted small">{x.reason}</div></td>
                        <td>{x.workflowName}</td>
                        <td>v{x.version}</td>
                        <td><StatusBadge status={x.status} />{x.error ? <div className="muted small">{x.error.code}</div> : null}</td>
                        <td className="mono small">{x.commit?.slice(0, 10) ?? '—'}</td>
                        <td className="mono small">{x.tag ?? '—'}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>
        )}
      </QueryView>
    </Card>
  );
}

function Figure({ label, value, sub, tone }: { label: string; value: string; sub?: string; tone?: 'danger' }) {
  return (
    <div className={`stat${tone ? ' stat-danger' : ''}`} style={{ gridTemplateColumns: '1fr' }}>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={`usage-${label.toLowerCase().replace(/\s+/g, '-')}`}>{value}</span>
      {sub ? <span className="muted small">{sub}</span> : null}
    </div>
  );
}

function Counts({ byStatus }: { byStatus: Record<string, number> }) {
  const entries = Object.entries(byStatus);
  if (entries.length === 0) return null;
  return <p className="row" style={{ flexWrap: 'wrap', gap: 6 }}>{entries.map(([s, n]) => <Badge key={s}>{s.replace('_', ' ')}: {n}</Badge>)}</p>;
}

function AccountCard({ data: w, onEdit }: { data: WorkspaceOverview; onEdit: () => void }) {
  const { subscription: s, notes, metadata, updatedAt } = w.account;
  const meta = Object.entries(metadata);
  return (
    <Card id="ws-account" title="Account" actions={<button type="button" className="btn btn-ghost btn-sm" onClick={onEdit}>Edit</button>}>
      <dl className="definition-list">
        <dt>Plan</dt><dd>{capitalize(w.plan)}</dd>
        <dt>Subscription</dt>
        <dd data-testid="subscription">
          {s ? <>{formatMoney(s.amount)} / {PERIOD_LABEL[s.period]} <Badge tone={SUBSCRIPTION_TONE[s.status]}>{s.status.replace('_', ' ')}</Badge>
            <span className="muted small block">from {formatDate(`${s.startsOn}T00:00:00Z`)}{s.endsOn ? ` to ${formatDate(`${s.endsOn}T00:00:00Z`)}` : ', no end date'}</span></> : <span className="muted">None recorded</span>}
        </dd>
        <dt>Notes</dt><dd className="pre-wrap">{notes || <span className="muted">—</span>}</dd>
        {meta.length ? <><dt>Metadata</dt><dd>{meta.map(([k, v]) => <span key={k} className="block"><span className="mono">{k}</span>: {v}</span>)}</dd></> : null}
        {updatedAt ? <><dt>Updated</dt><dd><RelativeTime iso={updatedAt} /></dd></> : null}
      </dl>
    </Card>
  );
}

type MetaRow = { key: string; value: string };

/** Minor units → the decimal a person types ("49900" EUR → "499.00"). */
function toDecimal(amountMinor: number, currency: string): string {
  const digits = minorDigits(currency);
  return (amountMinor / 10 ** digits).toFixed(digits);
}

function EditAccountDialog({ data: w, onClose }: { data: WorkspaceOverview; onClose: () => void }) {
  const update = useAdminUpdateAccount(w.id);
  const toast = useToast();
  const s = w.account.subscription;
  const [plan, setPlan] = useState(w.plan);
  const [hasSubscription, setHasSubscription] = useState(s !== null);
  const [amount, setAmount] = useState(s ? toDecimal(s.amount.amountMinor, s.amount.currency) : '');
  const [currency, setCurrency] = useState(s?.amount.currency ?? 'EUR');
  const [period, setPeriod] = useState(s?.period ?? 'month');
  const [status, setStatus] = useState(s?.status ?? 'active');
  const [startsOn, setStartsOn] = useState(s?.startsOn ?? new Date().toISOString().slice(0, 10));
  const [endsOn, setEndsOn] = useState(s?.endsOn ?? '');
  const [notes, setNotes] = useState(w.account.notes);
  const [meta, setMeta] = useState<MetaRow[]>(Object.entries(w.account.metadata).map(([key, value]) => ({ key, value })));
  const [localError, setLocalError] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setLocalError(null);
    const patch: AccountPatch = { plan, notes };
    if (hasSubscription) {
      const code = currency.trim().toUpperCase();
      const value = Number(amount.replace(',', '.'));
      if (!amount.trim() || !Number.isFinite(value) || value < 0) return setLocalError('The amount must be a number, 0 or more.');
      patch.subscription = { amountMinor: Math.round(value * 10 ** minorDigits(code)), currency: code, period, status, startsOn, endsOn: endsOn || null };
    } else if (s) {
      patch.subscription = null;
    }
    // Metadata merges on the server: keys removed here are sent as null.
    const next: Record<string, string | null> = {};
    for (const key of Object.keys(w.account.metadata)) next[key] = null;
    for (const row of meta) if (row.key.trim()) next[row.key.trim()] = row.value;
    patch.metadata = next;
    update.mutate(patch, { onSuccess: () => { toast.success(`${w.name}: account saved`); onClose(); } });
  };

  const err = (field: string) => fieldError(update.error, field);
  // An error named next to its field is not repeated at the bottom of the form.
  const isClaimed = ['plan', 'amountMinor', 'currency', 'status', 'startsOn', 'endsOn', 'notes', 'metadata'].some((f) => err(f));
  return (
    <Dialog open title={`Edit ${w.name}’s account`} description="Every change is recorded in the workspace’s audit trail with its before and after values." onClose={onClose} size="wide">
      <form className="stack" onSubmit={submit} noValidate>
        <SelectField label="Plan" value={plan} onChange={(e) => setPlan(e.target.value as typeof plan)} error={err('plan')}
          options={[{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }, { value: 'enterprise', label: 'Enterprise' }]} />
        <label className="row"><input type="checkbox" checked={hasSubscription} onChange={(e) => setHasSubscription(e.target.checked)} /> Subscription</label>
        {hasSubscription ? (
          <div className="form-grid-2">
            <TextField label="Amount" inputMode="decimal" value={amount} onChange={(e) => setAmount(e.target.value)} error={err('amountMinor')} hint="Per billing period, e.g. 499.00" required />
            <TextField label="Currency" value={currency} maxLength={3} onChange={(e) => setCurrency(e.target.value.toUpperCase())} error={err('currency')} hint="ISO 4217: EUR, USD, GBP…" />
            <SelectField label="Billing period" value={period} onChange={(e) => setPeriod(e.target.value as typeof period)} options={[{ value: 'month', label: 'Monthly' }, { value: 'year', label: 'Yearly' }]} />
            <SelectField label="Status" value={status} onChange={(e) => setStatus(e.target.value as typeof status)} error={err('status')}
              options={[{ value: 'active', label: 'Active' }, { value: 'past_due', label: 'Past due' }, { value: 'cancelled', label: 'Cancelled' }]} />
            <TextField label="Starts on" type="date" value={startsOn} onChange={(e) => setStartsOn(e.target.value)} error={err('startsOn')} required />
            <TextField label="Ends on" type="date" value={endsOn} onChange={(e) => setEndsOn(e.target.value)} error={err('endsOn')} hint="Empty: no end date" />
          </div>
        ) : null}
        <div className="field">
          <label htmlFor="account-notes">Notes</label>
          <textarea id="account-notes" className="input" rows={4} maxLength={10_000} value={notes} onChange={(e) => setNotes(e.target.value)} />
          {err('notes') ? <p className="field-error" role="alert">{err('notes')}</p> : <p className="field-hint">Only platform admins see these.</p>}
        </div>
        <fieldset className="stack" style={{ border: 0, padding: 0, margin: 0 }}>
          <legend className="small"><strong>Metadata</strong> <span className="muted">(CRM id, contract number…; up to 50 keys)</span></legend>
          {meta.map((row, i) => (
            <div key={i} className="kv-row">
              <input className="input mono" aria-label={`Metadata key ${i + 1}`} placeholder="key" value={row.key} maxLength={40}
                onChange={(e) => setMeta(meta.map((r, j) => (j === i ? { ...r, key: e.target.value } : r)))} />
              <input className="input" aria-label={`Metadata value ${i + 1}`} placeholder="value" value={row.value} maxLength={500}
                onChange={(e) => setMeta(meta.map((r, j) => (j === i ? { ...r, value: e.target.value } : r)))} />
              <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove ${row.key || 'row'}`} onClick={() => setMeta(meta.filter((_, j) => j !== i))}>✕</button>
            </div>
          ))}
          <div><button type="button" className="btn btn-secondary btn-sm" onClick={() => setMeta([...meta, { key: '', value: '' }])}><Icon name="plus" /> Add a key</button></div>
          {err('metadata') ? <p className="field-error" role="alert">{err('metadata')}</p> : null}
        </fieldset>
        <FormError message={localError ?? (update.error && !isClaimed ? errorMessage(update.error) : null)} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={update.isPending}>{update.isPending ? <Spinner /> : null} Save account</button>
        </div>
      </form>
    </Dialog>
  );
}

/** The workspace's monthly AI limits this month (gauges), changed by the platform admin above the plan if need be. */
function AiLimitsCard({ workspaceId }: { workspaceId: string }) {
  const quotas = useAdminQuotas(workspaceId);
  const set = useSetAdminQuota(workspaceId);
  const [isEditing, setIsEditing] = useState(false);
  return (
    <Card id="ws-ai-limits" title="AI limits this month" actions={<button type="button" className="btn btn-ghost btn-sm" onClick={() => setIsEditing(true)} disabled={!quotas.data}>Change limits</button>}>
      <QueryView query={quotas}>{(q) => {
        const own = q.quotas.find((x) => x.scope === 'workspace')!;
        return (
          <div className="form" data-testid="admin-ai-limits">
            <p className="small muted">{own.source === 'plan' ? `The ${q.plan} plan's limits` : 'Custom limits'}{own.extra ? `, with a temporary increase until ${own.extra.expiresAt.slice(0, 10)}` : ''}.</p>
            <Gauge label="Tokens this month" spent={own.spentTokens} held={own.reservedTokens} limit={own.effective.tokens} format={(v) => v.toLocaleString('en-US')} />
            <Gauge label="Cost this month" spent={own.spentCostMicros} held={own.reservedCostMicros} limit={own.effective.costMicros} format={formatUsd} />
            {isEditing ? <QuotaDialog quota={own} quotas={q} mutation={set} isPlatform onClose={() => setIsEditing(false)} /> : null}
          </div>
        );
      }}</QueryView>
    </Card>
  );
}
