// Model providers of the workspace (and the operator's it may use): add one (its key is a vault
// secret named here), test it, see its models; aliases (`fast`, `smart`) with fallbacks.
import { useState } from 'react';
import type { UseMutationResult } from '@tanstack/react-query';
import { useAliases, useCreateProvider, useDeleteAlias, useDeleteProvider, useProviderModels, useProviders, usePutAlias, useTestProvider } from '../../api/ai.ts';
import type { Alias, NewProvider, Provider, ProviderTest } from '../../api/ai.ts';
import { useSecrets } from '../../api/secrets.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge } from '../../components/badge.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, Notice, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { useToast } from '../../components/toast.tsx';
import { Link } from '../../lib/router.tsx';

const KINDS: Array<{ value: NewProvider['kind']; label: string; url: string }> = [
  { value: 'openai', label: 'OpenAI', url: '' },
  { value: 'anthropic', label: 'Anthropic', url: '' },
  { value: 'openai_compatible', label: 'OpenAI-compatible (Ollama, vLLM, LM Studio, OpenRouter, Azure…)', url: 'http://localhost:11434/v1' },
];

export function ProvidersPage() {
  const { can } = useSession();
  const providers = useProviders();
  const aliases = useAliases();
  const remove = useDeleteProvider();
  const removeAlias = useDeleteAlias();
  const [isAdding, setAdding] = useState(false);
  const [aliasEditing, setAliasEditing] = useState<Alias | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Provider | null>(null);
  const [deletingAlias, setDeletingAlias] = useState<Alias | null>(null);
  const [modelsOf, setModelsOf] = useState<string | null>(null);
  const canManage = can('llm.manage');
  const addButton = canManage ? <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}><Icon name="plus" /> Add provider</button> : null;

  return (
    <>
      <PageHeader
        title="Model providers"
        description="The models your agents, workflows and API clients call through Atrium's gateway. Keys stay in the vault; every call is metered and counted against your quotas before it is sent."
        actions={addButton}
      />
      <Card id="providers">
        <QueryView query={providers} loadingLabel="Loading providers…">
          {(list) => list.length === 0 ? (
            <EmptyState icon="layers" title="No model provider yet" action={addButton}>
              {canManage ? 'Add OpenAI, Anthropic, or any OpenAI-compatible server (Ollama, vLLM…). Put its API key in Secrets first, then name that secret here.' : 'An owner or admin can connect a provider here.'}
            </EmptyState>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Base URL</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
                <tbody>
                  {list.map((p) => (
                    <tr key={p.id}>
                      <td><strong>{p.name}</strong>{p.owner === 'platform' ? <div className="muted small">provided by the operator</div> : null}</td>
                      <td>{KINDS.find((k) => k.value === p.kind)?.label.split(' (')[0] ?? p.kind}</td>
                      <td><code className="small">{p.baseUrl}</code></td>
                      <td>{p.owner === 'platform' ? <span className="muted">operator's</span> : p.secretName ? <code>{p.secretName}</code> : <span className="muted">none</span>}</td>
                      <td>{p.isEnabled ? <Badge tone="success">enabled</Badge> : <Badge>disabled</Badge>}</td>
                      <td className="cell-actions">
                        {p.owner === 'workspace' ? (
                          <>
                            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setModelsOf(modelsOf === p.id ? null : p.id)}>Models</button>
                            {canManage ? <TestButton provider={p} /> : null}
                            {canManage ? <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(p)}>Delete</button> : null}
                          </>
                        ) : null}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {modelsOf ? <ModelList providerId={modelsOf} name={list.find((p) => p.id === modelsOf)?.name ?? ''} /> : null}
            </div>
          )}
        </QueryView>
      </Card>

      <Card
        id="aliases"
        title="Aliases"
        description="Names your agents and workflows use instead of vendor model names. Targets are tried in order: on a 429, a 5xx or a timeout, the next one answers."
        actions={canManage ? <button type="button" className="btn btn-secondary" onClick={() => setAliasEditing('new')} disabled={!providers.data?.length}><Icon name="plus" /> Add alias</button> : null}
      >
        <QueryView query={aliases}>
          {(list) => list.length === 0 ? (
            <p className="muted">No alias yet. {providers.data?.length ? 'Add one, such as fast or smart.' : 'Add a provider first.'} Models can also be named as provider/model.</p>
          ) : (
            <table className="table">
              <thead><tr><th scope="col">Alias</th><th scope="col">Targets, in order</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
              <tbody>{list.map((a) => (
                <tr key={a.name}>
                  <td><code>{a.name}</code></td>
                  <td>{a.targets.map((t, i) => <span key={i}>{i ? ' → ' : ''}<code>{t.providerName ?? '(removed provider)'}/{t.model}</code></span>)}</td>
                  <td className="cell-actions">{canManage ? <><button type="button" className="btn btn-ghost btn-sm" onClick={() => setAliasEditing(a)}>Edit</button><button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeletingAlias(a)}>Delete</button></> : null}</td>
                </tr>
              ))}</tbody>
            </table>
          )}
        </QueryView>
        <p className="muted small">Try a model in the <Link to="/ai/playground">playground</Link>; call it from code with any OpenAI client (<code>baseURL: "{location.origin}/v1"</code>) or Anthropic client (<code>baseURL: "{location.origin}"</code>) and an Atrium API key.</p>
      </Card>

      {isAdding ? <ProviderDialog onClose={() => setAdding(false)} /> : null}
      {aliasEditing ? <AliasDialog alias={aliasEditing === 'new' ? null : aliasEditing} providers={(providers.data ?? []).filter((p) => p.isEnabled)} onClose={() => setAliasEditing(null)} /> : null}
      <ConfirmMutationDialog target={deleting} onDone={() => setDeleting(null)} title={(t) => `Delete provider “${t.name}”?`}
        description={() => 'Calls naming it stop working. Its key stays in the vault. Aliases that point at it must be changed first.'} confirmLabel="Delete provider"
        mutation={remove} variables={(t) => t.id} successMessage={(t) => `${t.name} deleted`} />
      <ConfirmMutationDialog target={deletingAlias} onDone={() => setDeletingAlias(null)} title={(t) => `Delete alias “${t.name}”?`}
        description={() => 'Agents and workflows that name this alias will fail until it exists again.'} confirmLabel="Delete alias"
        mutation={removeAlias} variables={(t) => t.name} successMessage={(t) => `${t.name} deleted`} />
    </>
  );
}

/** Test a provider's connection (a workspace's, or with `useTest` an operator's). */
export function TestButton({ provider, useTest = useTestProvider }: { provider: Provider; useTest?: () => UseMutationResult<ProviderTest, Error, string> }) {
  const test = useTest();
  const [result, setResult] = useState<ProviderTest | null>(null);
  return (
    <>
      <button type="button" className="btn btn-ghost btn-sm" disabled={test.isPending} onClick={() => test.mutate(provider.id, { onSuccess: setResult })}>{test.isPending ? 'Testing…' : 'Test'}</button>
      {result ? (result.isOk
        ? <Badge tone="success" title={`${result.latencyMs} ms`}>works · {result.modelCount} models</Badge>
        : <Badge tone="danger" title={result.error?.message}>fails: {result.error?.code}</Badge>) : null}
    </>
  );
}

function ModelList({ providerId, name }: { providerId: string; name: string }) {
  const models = useProviderModels(providerId);
  return (
    <div className="card-inset" data-testid="provider-models">
      <QueryView query={models} loadingLabel={`Asking ${name} for its models…`}>
        {(list) => <p className="small">{list.length ? list.map((m) => <code key={m} style={{ marginRight: 8 }}>{name}/{m}</code>) : 'The provider lists no models.'}</p>}
      </QueryView>
    </div>
  );
}

function ProviderDialog({ onClose }: { onClose: () => void }) {
  const create = useCreateProvider();
  const secrets = useSecrets();
  const toast = useToast();
  const [form, setForm] = useState<{ name: string; kind: NewProvider['kind']; baseUrl: string; secretName: string }>({ name: '', kind: 'openai', baseUrl: '', secretName: '' });
  const fields = ['name', 'kind', 'baseUrl', 'secretName'];
  const formError = create.error && !fields.some((f) => fieldError(create.error, f)) ? errorMessage(create.error) : null;
  return (
    <Dialog open onClose={onClose} title="Add a model provider" description="Its API key is read from the vault on the server, by name: it never appears here.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: form.name.trim(), kind: form.kind, ...(form.baseUrl.trim() ? { baseUrl: form.baseUrl.trim() } : {}), ...(form.secretName ? { secretName: form.secretName } : {}) }, {
          onSuccess: (p) => { toast.success(`${p.name} added`); onClose(); },
        });
      }}>
        <TextField label="Name" hint="Lower case; models are named <name>/<model>" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required pattern="[a-z0-9][a-z0-9_\-]{0,39}" error={fieldError(create.error, 'name')} />
        <SelectField label="Kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value as NewProvider['kind'], baseUrl: KINDS.find((k) => k.value === e.target.value)?.url ?? '' })} options={KINDS.map((k) => ({ value: k.value, label: k.label }))} />
        <TextField label="Base URL" hint={form.kind === 'openai_compatible' ? 'Required, e.g. http://localhost:11434/v1 for Ollama. Private addresses need the workspace setting “allow private addresses”.' : 'Leave empty for the vendor’s API'} value={form.baseUrl} onChange={(e) => setForm({ ...form, baseUrl: e.target.value })} required={form.kind === 'openai_compatible'} error={fieldError(create.error, 'baseUrl')} />
        <SelectField label="API key (a secret of the vault)" value={form.secretName} onChange={(e) => setForm({ ...form, secretName: e.target.value })} error={fieldError(create.error, 'secretName')}
          options={[{ value: '', label: 'No key (a local server)' }, ...(secrets.data ?? []).map((s) => ({ value: s.name, label: s.name }))]} />
        {secrets.data?.length === 0 ? <Notice>Add the provider’s API key in <Link to="/secrets">Secrets</Link> first.</Notice> : null}
        <FormError message={formError} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending}>{create.isPending ? 'Adding…' : 'Add provider'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function AliasDialog({ alias, providers, onClose }: { alias: Alias | null; providers: Provider[]; onClose: () => void }) {
  const put = usePutAlias();
  const toast = useToast();
  const [name, setName] = useState(alias?.name ?? '');
  const [targets, setTargets] = useState(alias?.targets.map((t) => ({ providerId: t.providerId, model: t.model })) ?? [{ providerId: providers[0]?.id ?? '', model: '' }]);
  const setTarget = (i: number, patch: Partial<(typeof targets)[number]>) => setTargets(targets.map((t, j) => (j === i ? { ...t, ...patch } : t)));
  return (
    <Dialog open onClose={onClose} title={alias ? `Edit alias ${alias.name}` : 'Add an alias'} description="The first target answers; the next ones are fallbacks.">
      <form className="form" onSubmit={(e) => {
        e.preventDefault();
        put.mutate({ name: name.trim(), body: { targets: targets.map((t) => ({ providerId: t.providerId, model: t.model.trim() })) } }, { onSuccess: () => { toast.success(`${name} saved`); onClose(); } });
      }}>
        <TextField label="Alias" value={name} onChange={(e) => setName(e.target.value)} readOnly={alias !== null} required pattern="[a-z0-9][a-z0-9_.\-]{0,39}" hint="e.g. fast, smart, embed" />
        {targets.map((t, i) => (
          <div className="row" key={i}>
            <SelectField label={i === 0 ? 'Provider' : `Fallback ${i}`} value={t.providerId} onChange={(e) => setTarget(i, { providerId: e.target.value })} options={providers.map((p) => ({ value: p.id, label: p.name }))} />
            <TextField label="Model" value={t.model} onChange={(e) => setTarget(i, { model: e.target.value })} required placeholder="gpt-4o-mini" />
            {targets.length > 1 ? <button type="button" className="btn btn-ghost btn-sm" aria-label={`Remove target ${i + 1}`} onClick={() => setTargets(targets.filter((_, j) => j !== i))}><Icon name="trash" /></button> : null}
          </div>
        ))}
        {targets.length < 5 ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => setTargets([...targets, { providerId: providers[0]?.id ?? '', model: '' }])}><Icon name="plus" /> Add a fallback</button> : null}
        <FormError message={put.error ? errorMessage(put.error) : null} />
        <div className="form-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={put.isPending}>Save alias</button>
        </div>
      </form>
    </Dialog>
  );
}
