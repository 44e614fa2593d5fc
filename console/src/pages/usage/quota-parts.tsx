// The pieces of a quota shown in two places: a gauge (spent, held by calls in flight, limit) and
// the dialog that changes limits — for a workspace admin on Usage & budgets (within the plan) and
// for a platform admin on a workspace's page (any limit).
import { useState } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { formatUsd } from '../../api/ai.ts';
import type { Quota, QuotaBody, Quotas } from '../../api/ai.ts';
import { errorMessage } from '../../api/client.ts';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { useToast } from '../../components/toast.tsx';

const n = (v: number) => v.toLocaleString('en-US');

export function Gauge({ label, spent, held, limit, format }: { label: string; spent: number; held: number; limit: number | null; format: (v: number) => string }) {
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

/**
 * Change a quota's monthly limits, and optionally a temporary increase until a date. Workspace
 * admins stay within the plan (the server answers QUOTA_ABOVE_PLAN otherwise); platform admins
 * (`isPlatform`) may set any limit, none included.
 */
export function QuotaDialog({ quota, quotas, mutation: set, isPlatform = false, onClose }: {
  quota: Quota; quotas: Quotas; mutation: UseMutationResult<Quotas, Error, QuotaBody>; isPlatform?: boolean; onClose: () => void;
}) {
  const toast = useToast();
  const [tokens, setTokens] = useState(quota.monthlyTokens === null ? '' : String(quota.monthlyTokens));
  const [dollars, setDollars] = useState(quota.monthlyCostMicros === null ? '' : String(quota.monthlyCostMicros / 1_000_000));
  const [extraTokens, setExtraTokens] = useState(quota.extra?.tokens ? String(quota.extra.tokens) : '');
  const [extraDollars, setExtraDollars] = useState(quota.extra?.costMicros ? String(quota.extra.costMicros / 1_000_000) : '');
  const [until, setUntil] = useState(quota.extra?.expiresAt.slice(0, 10) ?? '');
  const ceiling = quota.scope === 'workspace' ? quotas.planLimits : quotas.quotas[0].effective;
  const hasExtra = extraTokens.trim() !== '' || extraDollars.trim() !== '';
  const description = isPlatform
    ? `As a platform admin you may set any limit, above the ${quotas.plan} plan's. Leave a limit empty for none.`
    : `Within ${quota.scope === 'workspace' ? `the ${quotas.plan} plan` : 'the workspace\'s limits'}: at most ${ceiling.tokens === null ? 'unlimited' : n(ceiling.tokens)} tokens and ${ceiling.costMicros === null ? 'unlimited cost' : formatUsd(ceiling.costMicros)} a month. Leave empty for no limit${quota.scope === 'workspace' ? ' (platform admins only)' : ''}.`;
  return (
    <Dialog open onClose={onClose} title="Change monthly limits" description={description}>
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        set.mutate({
          scope: quota.scope, ...(quota.scope === 'workspace' ? {} : { subjectId: quota.subjectId }),
          monthlyTokens: tokens.trim() === '' ? null : Math.round(Number(tokens)),
          monthlyCostMicros: dollars.trim() === '' ? null : Math.round(Number(dollars) * 1_000_000),
          extra: hasExtra ? {
            tokens: extraTokens.trim() === '' ? null : Math.round(Number(extraTokens)),
            costMicros: extraDollars.trim() === '' ? null : Math.round(Number(extraDollars) * 1_000_000),
            expiresAt: new Date(`${until}T23:59:59Z`).toISOString(),
          } : null,
        }, { onSuccess: () => { toast.success('Limits saved'); onClose(); } });
      }}>
        <TextField label="Tokens a month" inputMode="numeric" pattern="[0-9]*" value={tokens} onChange={(e) => setTokens(e.target.value)} />
        <TextField label="Cost a month (USD)" inputMode="decimal" pattern="[0-9]*([.][0-9]{0,6})?" value={dollars} onChange={(e) => setDollars(e.target.value)} />
        <fieldset className="fieldset">
          <legend>Temporary increase (optional)</legend>
          <TextField label="Extra tokens" inputMode="numeric" pattern="[0-9]*" value={extraTokens} onChange={(e) => setExtraTokens(e.target.value)} />
          <TextField label="Extra cost (USD)" inputMode="decimal" pattern="[0-9]*([.][0-9]{0,6})?" value={extraDollars} onChange={(e) => setExtraDollars(e.target.value)} />
          <TextField label="Until (end of day, UTC)" type="date" min={new Date().toISOString().slice(0, 10)} required={hasExtra} value={until} onChange={(e) => setUntil(e.target.value)} />
        </fieldset>
        <FormError message={set.error ? errorMessage(set.error) : null} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={set.isPending}>Save limits</button>
        </div>
      </form>
    </Dialog>
  );
}
