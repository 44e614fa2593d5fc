// Usage & budgets: this month's quotas as gauges (spent, held by calls in flight, limit) for the
// workspace and for each API key or agent that has its own; admins set limits within the plan;
// the alerts history (80 %, 100 %, burn rate).
import { useState } from 'react';
import { formatUsd, useQuotas, useSetQuota, useUsageAlerts } from '../../api/ai.ts';
import type { Quota } from '../../api/ai.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { Link } from '../../lib/router.tsx';
import { Gauge, QuotaDialog } from './quota-parts.tsx';
import './usage.css';

const n = (v: number) => v.toLocaleString('en-US');
export function UsagePage() {
  const { can } = useSession();
  const quotas = useQuotas();
  const alerts = useUsageAlerts();
  const [editing, setEditing] = useState<Quota | null>(null);
  const set = useSetQuota();
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
            {editing ? <QuotaDialog quota={editing} quotas={q} mutation={set} onClose={() => setEditing(null)} /> : null}
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
