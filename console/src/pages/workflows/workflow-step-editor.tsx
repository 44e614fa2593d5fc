// The step editor: one form per step type (JSON for mappings, headers, bodies and unknown
// types). Saving makes a new version; the server checks the whole definition and its problems
// show next to the steps they concern.
import { useId, useState } from 'react';
import type { ReactNode } from 'react';
import { ApiError, errorMessage } from '../../api/client.ts';
import type { Definition, Step } from '../../api/workflows.ts';
import { FormError } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';

const STEP_TYPES: Array<{ type: string; label: string; template: () => Omit<Step, 'id'> }> = [
  { type: 'transform', label: 'Transform (JSONata)', template: () => ({ type: 'transform', expression: 'input' }) },
  { type: 'http', label: 'HTTP request', template: () => ({ type: 'http', method: 'GET', url: 'https://' }) },
  { type: 'condition', label: 'Condition', template: () => ({ type: 'condition', expression: 'true', then: [], else: [] }) },
  { type: 'delay', label: 'Delay', template: () => ({ type: 'delay', ms: 1000 }) },
  { type: 'foreach', label: 'For each', template: () => ({ type: 'foreach', items: 'input.items', steps: [{ id: 'each', type: 'transform', expression: 'item' }] }) },
  { type: 'workflow', label: 'Sub-workflow', template: () => ({ type: 'workflow', workflowId: '' }) },
];

function Area({ label, hint, value, onChange, rows = 3, error, mono = true }: { label: string; hint?: ReactNode; value: string; onChange: (v: string) => void; rows?: number; error?: string; mono?: boolean }) {
  const id = useId();
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <textarea id={id} className={`input textarea${mono ? ' mono' : ''}`} rows={rows} value={value} onChange={(e) => onChange(e.target.value)} spellCheck={false} />
      {error ? <p className="field-error" role="alert">{error}</p> : hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}

function Input({ label, value, onChange, hint, type = 'text' }: { label: string; value: string; onChange: (v: string) => void; hint?: ReactNode; type?: string }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" type={type} value={value} onChange={(e) => onChange(e.target.value)} />
      {hint ? <p className="field-hint">{hint}</p> : null}
    </div>
  );
}

/** A JSON value edited as text; `onChange` gets the parsed value (undefined when empty) only while it parses. */
function JsonArea({ label, hint, value, onChange, rows = 3 }: { label: string; hint?: ReactNode; value: unknown; onChange: (v: unknown) => void; rows?: number }) {
  const [text, setText] = useState(value === undefined ? '' : JSON.stringify(value, null, 2));
  const [error, setError] = useState<string | undefined>();
  return (
    <Area label={label} hint={hint} rows={rows} value={text} error={error} onChange={(next) => {
      setText(next);
      if (!next.trim()) {
        setError(undefined);
        onChange(undefined);
        return;
      }
      try {
        onChange(JSON.parse(next));
        setError(undefined);
      } catch {
        setError('Not valid JSON yet');
      }
    }} />
  );
}

const list = (v: unknown) => (Array.isArray(v) ? v.join(', ') : '');
const toList = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);

function TypeFields({ step, set, workflows }: { step: Step; set: (patch: Record<string, unknown>) => void; workflows: Array<{ id: string; name: string }> }) {
  const str = (k: string) => (typeof step[k] === 'string' ? (step[k] as string) : '');
  switch (step.type) {
    case 'transform':
      return <Area label="Expression" hint="JSONata over input, steps.<id>, step (this step's input)" value={str('expression')} onChange={(v) => set({ expression: v })} />;
    case 'condition':
      return (
        <>
          <Area label="Condition" hint="JSONata, read as true or false" value={str('expression')} onChange={(v) => set({ expression: v })} rows={2} />
          <div className="grid-2">
            <Input label="Run only when true" hint="Later step ids, comma-separated" value={list(step.then)} onChange={(v) => set({ then: toList(v) })} />
            <Input label="Run only when false" hint="Later step ids, comma-separated" value={list(step.else)} onChange={(v) => set({ else: toList(v) })} />
          </div>
        </>
      );
    case 'http':
      return (
        <>
          <div className="grid-2">
            <div className="field">
              <label htmlFor={`${step.id}-method`}>Method</label>
              <select id={`${step.id}-method`} className="input" value={str('method') || 'GET'} onChange={(e) => set({ method: e.target.value })}>
                {['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'].map((m) => <option key={m}>{m}</option>)}
              </select>
            </div>
            <Input label="Timeout (ms)" type="number" value={step.timeoutMs === undefined ? '' : String(step.timeoutMs)} onChange={(v) => set({ timeoutMs: v ? Number(v) : undefined })} />
          </div>
          <Input label="URL" hint="`=expression` to compute it; {{secrets.NAME}} for a secret" value={str('url')} onChange={(v) => set({ url: v })} />
          <JsonArea label="Headers (JSON)" hint='e.g. {"authorization": "Bearer {{secrets.API_TOKEN}}"}' value={step.headers} onChange={(v) => set({ headers: v })} />
          <JsonArea label="Body (JSON)" hint="Strings starting with = are JSONata" value={step.body} onChange={(v) => set({ body: v })} />
        </>
      );
    case 'delay':
      return (
        <div className="grid-2">
          <Input label="Wait (ms)" type="number" value={typeof step.ms === 'number' ? String(step.ms) : ''} onChange={(v) => set({ ms: v ? Number(v) : undefined, ...(v ? { until: undefined } : {}) })} />
          <Input label="Or until (date-time)" hint="ISO date, or =expression" value={str('until')} onChange={(v) => set({ until: v || undefined, ...(v ? { ms: undefined } : {}) })} />
        </div>
      );
    case 'foreach':
      return (
        <>
          <Area label="Items" hint="JSONata giving a list; its steps see item and index" value={str('items')} onChange={(v) => set({ items: v })} rows={1} />
          <JsonArea label="Steps for each item (JSON)" value={step.steps} onChange={(v) => set({ steps: v })} rows={5} />
        </>
      );
    case 'workflow':
      return (
        <div className="field">
          <label htmlFor={`${step.id}-wf`}>Workflow to run</label>
          <select id={`${step.id}-wf`} className="input" value={str('workflowId')} onChange={(e) => set({ workflowId: e.target.value })}>
            <option value="">Choose a deployed workflow…</option>
            {workflows.map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        </div>
      );
    default: {
      const { id: _id, type: _type, name: _name, input: _input, ...own } = step;
      return <JsonArea label={`Fields of ${step.type} (JSON)`} value={own} onChange={(v) => set({ ...(v as Record<string, unknown>) })} rows={5} />;
    }
  }
}

export function StepEditor({ definition, workflows, canEdit, isSaving, error, onSave }: {
  definition: Definition;
  workflows: Array<{ id: string; name: string }>;
  canEdit: boolean;
  isSaving: boolean;
  error: unknown;
  onSave: (definition: Definition, note: string) => void;
}) {
  const [steps, setSteps] = useState<Step[]>(definition.steps);
  const [output, setOutput] = useState(definition.output ?? '');
  const [note, setNote] = useState('');
  const [newType, setNewType] = useState('transform');
  const problems = error instanceof ApiError ? error.errors : [];
  const problemsOf = (index: number) => problems.filter((p) => p.path === `definition.steps.${index}` || p.path.startsWith(`definition.steps.${index}.`));
  const otherError = error && problems.length === 0 ? errorMessage(error) : null;

  const update = (index: number, patch: Record<string, unknown>) => setSteps((all) => all.map((s, i) => {
    if (i !== index) return s;
    const next: Step = { ...s, ...patch };
    for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
    return next;
  }));
  const move = (index: number, by: number) => setSteps((all) => {
    const next = [...all];
    const [item] = next.splice(index, 1);
    next.splice(Math.max(0, Math.min(next.length, index + by)), 0, item);
    return next;
  });
  const add = () => {
    const template = STEP_TYPES.find((t) => t.type === newType)!.template();
    let n = steps.length + 1;
    while (steps.some((s) => s.id === `step${n}`)) n++;
    setSteps((all) => [...all, { id: `step${n}`, ...template } as Step]);
  };

  return (
    <form className="stack" onSubmit={(e) => { e.preventDefault(); onSave({ steps, ...(output.trim() ? { output: output.trim() } : {}) }, note); }}>
      {steps.length === 0 ? <p className="muted">No steps yet: add the first one below.</p> : null}
      <ol className="stack" style={{ listStyle: 'none', padding: 0, margin: 0, gap: 12 }}>
        {steps.map((step, index) => (
          <li key={index} className="card" data-testid={`step-${index}`} style={{ padding: 14 }}>
            <fieldset disabled={!canEdit} style={{ border: 0, padding: 0, margin: 0 }}>
              <div className="row" style={{ justifyContent: 'space-between' }}>
                <strong>{index + 1}. {step.type}</strong>
                <div className="row" style={{ gap: 6 }}>
                  <button type="button" className="btn btn-secondary btn-sm" onClick={() => move(index, -1)} disabled={index === 0} aria-label={`Move ${step.id} up`}>↑</button>
                  <button type="button" className="btn btn-secondary btn-sm" onClick={() => move(index, 1)} disabled={index === steps.length - 1} aria-label={`Move ${step.id} down`}>↓</button>
                  <button type="button" className="btn btn-secondary btn-sm" onClick={() => setSteps((all) => all.filter((_, i) => i !== index))} aria-label={`Remove ${step.id}`}><Icon name="trash" /></button>
                </div>
              </div>
              <div className="grid-2">
                <Input label="Step id" hint="Later steps read its output as steps.<id>" value={step.id} onChange={(v) => update(index, { id: v })} />
                <Input label="Name" value={step.name ?? ''} onChange={(v) => update(index, { name: v || undefined })} />
              </div>
              <TypeFields step={step} set={(patch) => update(index, patch)} workflows={workflows} />
              <JsonArea label="Input mapping (JSON, optional)" hint='e.g. {"email": "=input.email"}: read as step.email in expressions' value={step.input} onChange={(v) => update(index, { input: v })} />
              {problemsOf(index).map((p) => <p key={p.path + p.message} className="field-error" role="alert">{p.path.replace(`definition.steps.${index}`, 'step')}: {p.message}</p>)}
            </fieldset>
          </li>
        ))}
      </ol>
      {canEdit ? (
        <>
          <div className="row">
            <select className="input input-sm" value={newType} onChange={(e) => setNewType(e.target.value)} aria-label="Step type to add" style={{ maxWidth: 220 }}>
              {STEP_TYPES.map((t) => <option key={t.type} value={t.type}>{t.label}</option>)}
            </select>
            <button type="button" className="btn btn-secondary btn-sm" onClick={add}><Icon name="plus" /> Add step</button>
          </div>
          <Area label="Output (optional)" hint="JSONata over input and steps; default: the last step's output" value={output} onChange={setOutput} rows={2} />
          <Area label="Version note" value={note} onChange={setNote} rows={1} mono={false} />
          {problems.filter((p) => !/^definition\.steps\.\d/.test(p.path)).map((p) => <p key={p.path + p.message} className="field-error" role="alert">{p.path}: {p.message}</p>)}
          <FormError message={otherError} />
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={isSaving}>{isSaving ? 'Saving…' : 'Save as new version'}</button>
          </div>
        </>
      ) : null}
    </form>
  );
}
