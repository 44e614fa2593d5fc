// The operator's models (platform admins): providers configured once for the installation, which
// every workspace may call (metered to that workspace), and the price catalogue — the shipped
// prices and the admins' versions, effective-dated: a new price applies from its date on, and
// the calls before it keep the cost frozen when they were made.
import { useMemo, useState } from 'react';
import { formatUsd, useAddCataloguePrice, useCataloguePrices, useCreatePlatformProvider, useDeletePlatformProvider, usePlatformProviders, useTestPlatformProvider } from '../../api/ai.ts';
import type { CataloguePrice, PlatformProviderBody, Provider } from '../../api/ai.ts';
import { TestButton } from '../llm/providers-page.tsx';
import { errorMessage, fieldError } from '../../api/client.ts';
import { Badge } from '../../components/badge.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';

const KINDS: Array<{ value: PlatformProviderBody['kind']; label: string }> = [
  { value: 'openai', label: 'OpenAI' },
  { value: 'anthropic', label: 'Anthropic' },
  { value: 'openai_compatible', label: 'OpenAI-compatible (vLLM, OpenRouter, Azure…)' },
];

/** USD micro-units per million tokens, as dollars per million ($0.15). */
const perM = (micros: number | null) => (micros === null ? '—' : formatUsd(micros));

export function AdminModelsPage() {
  const providers = usePlatformProviders();
  const prices = useCataloguePrices();
  const remove = useDeletePlatformProvider();
  const [isAdding, setIsAdding] = useState(false);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [pricing, setPricing] = useState<{ model: string; current: CataloguePrice | null } | null>(null);
  const [filter, setFilter] = useState('');
  return (
    <>
      <PageHeader
        title="Models and prices"
        description="Providers you run for every workspace (each call is metered to the workspace that makes it), and the prices that turn tokens into cost. Workspaces may override a price for themselves."
        actions={<button type="button" className="btn btn-primary" onClick={() => setIsAdding(true)}><Icon name="plus" /> Add provider</button>}
      />
      <Card title="Operator providers" description="Workspaces call them as <name>/<model>, like their own. The key is write-only: sealed when saved, never shown again.">
        <QueryView query={providers} loadingLabel="Loading providers…">
          {(list) => list.length === 0 ? (
            <EmptyState icon="layers" title="No operator provider" action={<button type="button" className="btn btn-primary" onClick={() => setIsAdding(true)}>Add provider</button>}>
              Add one to let every workspace call models on your account, without keys of their own.
            </EmptyState>
          ) : (
            <table className="table" data-testid="platform-providers">
              <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Base URL</th><th scope="col">Key</th><th scope="col">Added</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>{list.map((p) => (
                <tr key={p.id}>
                  <td><strong>{p.name}</strong>{p.isEnabled ? null : <> <Badge tone="neutral">disabled</Badge></>}</td>
                  <td>{KINDS.find((k) => k.value === p.kind)?.label ?? p.kind}</td>
                  <td><code className="small">{p.baseUrl}</code></td>
                  <td>{p.hasKey ? <Badge tone="success">set</Badge> : <span className="muted">none</span>}</td>
                  <td><RelativeTime iso={p.createdAt} /></td>
                  <td className="row" style={{ justifyContent: 'flex-end' }}>
                    <TestButton provider={p} useTest={useTestPlatformProvider} />
                    <button type="button" className="btn btn-ghost btn-sm" onClick={() => setDeleting(p)}>Delete</button>
                  </td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </QueryView>
      </Card>
      <Card
        title="Price catalogue"
        description="USD per million tokens. Each model's current price, with how many versions it has had; a new version applies from its date, never to past calls. A model without a price is unpriced: its calls show as such, never as $0, and are refused where a cost budget applies."
        actions={<button type="button" className="btn btn-secondary btn-sm" onClick={() => setPricing({ model: '', current: null })}>Price a model</button>}
      >
        <QueryView query={prices} loadingLabel="Loading prices…">
          {(list) => <PriceTable prices={list} filter={filter} onFilter={setFilter} onEdit={(model, current) => setPricing({ model, current })} />}
        </QueryView>
      </Card>
      {isAdding ? <ProviderDialog onClose={() => setIsAdding(false)} /> : null}
      {pricing ? <PriceDialog model={pricing.model} current={pricing.current} onClose={() => setPricing(null)} /> : null}
      <ConfirmMutationDialog target={deleting} onDone={() => setDeleting(null)} title={(t) => `Delete operator provider “${t.name}”?`}
        description={() => 'Every workspace calling it stops reaching it; their aliases that point at it fall through to their next target.'} confirmLabel="Delete provider"
        mutation={remove} variables={(t) => t.id} successMessage={(t) => `${t.name} deleted`} />
    </>
  );
}

function PriceTable({ prices, filter, onFilter, onEdit }: { prices: CataloguePrice[]; filter: string; onFilter: (v: string) => void; onEdit: (model: string, current: CataloguePrice) => void }) {
  // Per model: the version in force now, the next scheduled one, how many in all.
  const rows = useMemo(() => {
    const now = Date.now();
    const byModel = new Map<string, CataloguePrice[]>();
    for (const p of prices) byModel.set(p.model, [...(byModel.get(p.model) ?? []), p]);
    return [...byModel.entries()].map(([model, versions]) => {
      const sorted = [...versions].sort((a, b) => Date.parse(b.effectiveFrom) - Date.parse(a.effectiveFrom));
      return { model, current: sorted.find((v) => Date.parse(v.effectiveFrom) <= now) ?? null, next: sorted.filter((v) => Date.parse(v.effectiveFrom) > now).at(-1) ?? null, count: versions.length };
    }).sort((a, b) => a.model.localeCompare(b.model));
  }, [prices]);
  const shown = rows.filter((r) => r.model.toLowerCase().includes(filter.trim().toLowerCase()));
  return (
    <>
      <TextField label="Find a model" value={filter} onChange={(e) => onFilter(e.target.value)} placeholder="gpt-4o, claude…" />
      <table className="table table-compact" data-testid="price-catalogue">
        <thead><tr><th scope="col">Model</th><th scope="col">Input</th><th scope="col">Output</th><th scope="col">Cached input</th><th scope="col">Cache write</th><th scope="col">Since</th><th scope="col">Versions</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>{shown.map((r) => {
          const p = r.current ?? r.next!;
          return (
            <tr key={r.model}>
              <td><code>{r.model}</code>{r.next ? <> <Badge tone="info" title={`From ${r.next.effectiveFrom}`}>new price {r.next.effectiveFrom.slice(0, 10)}</Badge></> : null}</td>
              <td>{perM(p.inputPerMtok)}</td><td>{perM(p.outputPerMtok)}</td><td>{perM(p.cachedInputPerMtok)}</td><td>{perM(p.cacheWritePerMtok)}</td>
              <td>{r.current ? <span title={r.current.effectiveFrom}>{r.current.effectiveFrom.slice(0, 10)} <span className="muted small">({r.current.source})</span></span> : <span className="muted">not yet</span>}</td>
              <td>{r.count}</td>
              <td><button type="button" className="btn btn-ghost btn-sm" onClick={() => onEdit(r.model, p)}>New price</button></td>
            </tr>
          );
        })}</tbody>
      </table>
      {shown.length === 0 ? <p className="muted">No model matches “{filter}”.</p> : null}
    </>
  );
}

function ProviderDialog({ onClose }: { onClose: () => void }) {
  const create = useCreatePlatformProvider();
  const toast = useToast();
  const [form, setForm] = useState<{ name: string; kind: PlatformProviderBody['kind']; baseUrl: string; apiKey: string }>({ name: '', kind: 'openai', baseUrl: '', apiKey: '' });
  const formError = create.error && !['name', 'kind', 'baseUrl', 'apiKey'].some((f) => fieldError(create.error, f)) ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="Add an operator provider" description="Every workspace may call it; each call is metered to the workspace that makes it.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: form.name.trim(), kind: form.kind, ...(form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {}), ...(form.apiKey ? { apiKey: form.apiKey } : {}) }, {
          onSuccess: (p) => { toast.success(`${p.name} added`); onClose(); },
        });
      }}>
        <TextField label="Name" hint="Lower case; workspaces call <name>/<model>" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required pattern="[a-z0-9][a-z0-9_\-]{0,39}" error={fieldError(create.error, 'name')} />
        <SelectField label="Kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as PlatformProviderBody['kind'] })} options={KINDS} />
        <TextField label="Base URL" hint={form.kind === 'openai_compatible' ? 'Required' : 'Leave empty for the vendor’s API'} value={form.baseUrl} onChange={(e) => setForm({ ...form, baseUrl: e.target.value })} required={form.kind === 'openai_compatible'} error={fieldError(create.error, 'baseUrl')} />
        <TextField label="API key" type="password" autoComplete="off" hint="Sealed on save and never shown again" value={form.apiKey} onChange={(e) => setForm({ ...form, apiKey: e.target.value })} error={fieldError(create.error, 'apiKey')} />
        <FormError message={formError} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>{create.isPending ? 'Adding…' : 'Add provider'}</button>
        </div>
      </form>
    </Dialog>
  );
}

/** Dollars per million tokens as typed → micro-units (null when empty). */
function micros(text: string): number | null {
  return text.trim() === '' ? null : Math.round(Number(text) * 1_000_000);
}
const dollars = (v: number | null | undefined) => (v === null || v === undefined ? '' : String(v / 1_000_000));

function PriceDialog({ model, current, onClose }: { model: string; current: CataloguePrice | null; onClose: () => void }) {
  const add = useAddCataloguePrice();
  const toast = useToast();
  const [form, setForm] = useState({
    model, input: dollars(current?.inputPerMtok), output: dollars(current?.outputPerMtok), cached: dollars(current?.cachedInputPerMtok), cacheWrite: dollars(current?.cacheWritePerMtok),
    from: '',
  });
  const formError = add.error && !['model', 'inputPerMtok', 'outputPerMtok', 'effectiveFrom'].some((f) => fieldError(add.error, f)) ? errorMessage(add.error) : null;
  const money = 'USD per million tokens, e.g. 0.15';
  return (
    <Dialog open onClose={onClose} title={model ? `New price for ${model}` : 'Price a model'} description="A new version: it applies to calls from its date on (now, if empty); calls made before keep their cost.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        add.mutate({
          model: form.model.trim(), inputPerMtok: micros(form.input) ?? 0, outputPerMtok: micros(form.output) ?? 0,
          cachedInputPerMtok: micros(form.cached), cacheWritePerMtok: micros(form.cacheWrite),
          ...(form.from ? { effectiveFrom: new Date(`${form.from}T00:00:00Z`).toISOString() } : {}),
        }, { onSuccess: (p) => { toast.success(`${p.model}: new price saved`); onClose(); } });
      }}>
        <TextField label="Model" hint="As providers name it (gpt-4o-mini, claude-sonnet-4-5); dated names use the longest matching price" value={form.model} onChange={(e) => setForm({ ...form, model: e.target.value })} required readOnly={model !== ''} error={fieldError(add.error, 'model')} />
        <TextField label="Input" hint={money} inputMode="decimal" required pattern="[0-9]*([.][0-9]{0,6})?" value={form.input} onChange={(e) => setForm({ ...form, input: e.target.value })} error={fieldError(add.error, 'inputPerMtok')} />
        <TextField label="Output" hint={money} inputMode="decimal" required pattern="[0-9]*([.][0-9]{0,6})?" value={form.output} onChange={(e) => setForm({ ...form, output: e.target.value })} error={fieldError(add.error, 'outputPerMtok')} />
        <TextField label="Cached input" hint="Empty: charged as input" inputMode="decimal" pattern="[0-9]*([.][0-9]{0,6})?" value={form.cached} onChange={(e) => setForm({ ...form, cached: e.target.value })} />
        <TextField label="Cache write" hint="Empty: charged as input" inputMode="decimal" pattern="[0-9]*([.][0-9]{0,6})?" value={form.cacheWrite} onChange={(e) => setForm({ ...form, cacheWrite: e.target.value })} />
        <TextField label="Effective from (UTC)" type="date" value={form.from} onChange={(e) => setForm({ ...form, from: e.target.value })} error={fieldError(add.error, 'effectiveFrom')} />
        <FormError message={formError} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={add.isPending}>{add.isPending ? 'Saving…' : 'Save price'}</button>
        </div>
      </form>
    </Dialog>
  );
}
