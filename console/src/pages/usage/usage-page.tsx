// Usage & budgets: this month's quotas as gauges (spent, held by calls in flight, limit) for the
// workspace and for each API key or agent that has its own; admins set limits within the plan;
// the alerts history (80 %, 100 %, burn rate).
import { useState } from 'react';
import { formatUsd, useQuotas, useSetQuota, useUsageAlerts } from '../../api/ai.ts';
import type { Quota, Quotas } from '../../api/ai.ts';
import { errorMessage } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';
import './usage.css';

const n = (v: number) => v.toLocaleString('en-US');

function Gauge({ label, spent, held, limit, format }: { label: string; spent: number; held: number; limit: number | null; format: (v: number) => string }) {
  const ratio = limit ? spent / limit : 0;
  const tone = ratio >= 1 ? 'is-danger' : ratio >= 0.8 ? 'is-warning' : '';
  return (
    <div className="gauge-row">
      <div className="row" style={{ justifyContent: 'space-between' }}>
        <span>{label}</span>
        <span className="small"><strong>{format(spent)}</strong> {limit === null ? <span className="muted">· no limit</span> : <span className="muted">of {format(limit)} ({Math.round(ratio * 100)} %)</span>}{held ? <span className="muted"> · {format(held)} held by calls in flight</span> : null}</span>
      </div>
      {limit !== null ? (
        <div className={`gauge ${tone}`} role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={limit} aria-valuenow={spent}>
          <span style={{ width: `${Math.min(100, ratio * 100)}%` }} />
          <span className="gauge-held" style={{ left: `${Math.min(100, ratio * 100)}%`, width: `${Math.min(100, (held / limit) * 100)}%` }} />
        </div>
      ) : null}
    </div>
  );
}

export function UsagePage() {
  const { can } = useSession();
  const quotas = useQuotas();
  const alerts = useUsageAlerts();
  const [editing, setEditing] = useState<Quota | null>(null);
  return (
    <>
      <PageHeader title="Usage & budgets" description={<>Monthly AI limits, checked before each call: a call that could pass a limit is refused (429 quota_exceeded). See the details in <Link to="/ai/analytics">Analytics</Link>.</>} />
      <QueryView query={quotas} loadingLabel="Loading quotas…">
        {(q) => (
          <>
            {q.quotas.map((quota) => (
              <Card key={`${quota.scope}:${quota.subjectId}`} title={quota.scope === 'workspace' ? 'This workspace' : `${quota.scope === 'api_key' ? 'API key' : 'Agent'} ${quota.subjectId.slice(0, 8)}…`}
                description={quota.source === 'plan' ? `The ${q.plan} plan's limits` : 'Custom limits'}
                actions={can('usage.manage') ? <button type="button" className="btn btn-secondary btn-sm" onClick={() => setEditing(quota)}>Change limits</button> : null}>
                <div className="form" data-testid={`quota-${quota.scope}`}>
                  <Gauge label="Tokens this month" spent={quota.spentTokens} held={quota.reservedTokens} limit={quota.effective.tokens} format={n} />
                  <Gauge label="Cost this month" spent={quota.spentCostMicros} held={quota.reservedCostMicros} limit={quota.effective.costMicros} format={formatUsd} />
                  {quota.extra ? <p className="small muted">Includes a temporary increase until <RelativeTime iso={quota.extra.expiresAt} />.</p> : null}
                </div>
              </Card>
            ))}
            <p className="muted small">Counters reset on {q.resetsAt.slice(0, 10)} (UTC).</p>
            {editing ? <QuotaDialog quota={editing} quotas={q} onClose={() => setEditing(null)} /> : null}
          </>
        )}
      </QueryView>
      <Card title="Alerts" description="Each alert fires once a month per limit: at 80 %, at 100 %, and when this month's pace would run out before the month ends. Owners get a mail; subscriptions to budget.* events get a webhook.">
        <QueryView query={alerts}>
          {(list) => list.length === 0 ? <p className="muted">No alert this month.</p> : (
            <table className="table table-compact">
              <thead><tr><th scope="col">When</th><th scope="col">Alert</th><th scope="col">Limit</th><th scope="col">Used</th></tr></thead>
              <tbody>{list.map((a) => (
                <tr key={a.id}>
                  <td><RelativeTime iso={a.createdAt} /></td>
                  <td><Badge tone={a.kind === 'threshold_100' ? 'danger' : 'warning'}>{a.kind === 'threshold_80' ? '80 % reached' : a.kind === 'threshold_100' ? 'limit reached' : 'burn rate'}</Badge> {a.scope} {a.metric}</td>
                  <td>{a.metric === 'cost' ? formatUsd(Number(a.details.limit)) : n(Number(a.details.limit))}</td>
                  <td>{a.metric === 'cost' ? formatUsd(Number(a.details.spent)) : n(Number(a.details.spent))}{a.kind === 'burn_rate' ? <span className="muted"> · runs out {String(a.details.runsOutAt).slice(0, 10)}</span> : null}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </QueryView>
      </Card>
    </>
  );
}

function QuotaDialog({ quota, quotas, onClose }: { quota: Quota; quotas: Quotas; onClose: () => void }) {
  const set = useSetQuota();
  const toast = useToast();
  const [tokens, setTokens] = useState(quota.monthlyTokens === null ? '' : String(quota.monthlyTokens));
  const [dollars, setDollars] = useState(quota.monthlyCostMicros === null ? '' : String(quota.monthlyCostMicros / 1_000_000));
  const ceiling = quota.scope === 'workspace' ? quotas.planLimits : quotas.quotas[0].effective;
  return (
    <Dialog open onClose={onClose} title="Change monthly limits" description={`Within ${quota.scope === 'workspace' ? `the ${quotas.plan} plan` : 'the workspace\'s limits'}: at most ${ceiling.tokens === null ? 'unlimited' : n(ceiling.tokens)} tokens and ${ceiling.costMicros === null ? 'unlimited cost' : formatUsd(ceiling.costMicros)} a month. Leave empty for no limit${quota.scope === 'workspace' ? ' (platform admins only)' : ''}.`}>
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        set.mutate({
          scope: quota.scope, ...(quota.scope === 'workspace' ? {} : { subjectId: quota.subjectId }),
          monthlyTokens: tokens.trim() === '' ? null : Math.round(Number(tokens)),
          monthlyCostMicros: dollars.trim() === '' ? null : Math.round(Number(dollars) * 1_000_000),
        }, { onSuccess: () => { toast.success('Limits saved'); onClose(); } });
      }}>
        <TextField label="Tokens a month" inputMode="numeric" pattern="[0-9]*" value={tokens} onChange={(e) => setTokens(e.target.value)} />
        <TextField label="Cost a month (USD)" inputMode="decimal" pattern="[0-9]*([.][0-9]{0,6})?" value={dollars} onChange={(e) => setDollars(e.target.value)} />
        <FormError message={set.error ? errorMessage(set.error) : null} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={set.isPending}>Save limits</button>
        </div>
      </form>
    </Dialog>
  );
}
