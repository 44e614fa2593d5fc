// "Run": a form generated from the workflow's input JSON schema (string, number, integer,
// boolean and enum fields), with raw JSON as the fallback for anything else.
import { useState } from 'react';
import { errorMessage, fieldError } from '../../api/client.ts';
import { useExecuteWorkflow } from '../../api/workflows.ts';
import type { JsonSchema, WorkflowDetail } from '../../api/workflows.ts';
import { Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { useToast } from '../../components/toast.tsx';
import { navigate } from '../../lib/router.tsx';

type FieldSpec = { name: string; kind: 'string' | 'number' | 'integer' | 'boolean' | 'enum'; options?: string[]; isRequired: boolean; description?: string };

/** The fields a form can show, or null when the schema needs the raw JSON editor. */
export function formFieldsOf(schema: JsonSchema | null): FieldSpec[] | null {
  if (!schema) return [];
  if (schema.type !== 'object' || typeof schema.properties !== 'object' || schema.properties === null) return null;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  const fields: FieldSpec[] = [];
  for (const [name, raw] of Object.entries(schema.properties as Record<string, JsonSchema>)) {
    const description = typeof raw.description === 'string' ? raw.description : undefined;
    const base = { name, isRequired: required.includes(name), description };
    if (Array.isArray(raw.enum) && raw.enum.every((v) => typeof v === 'string')) fields.push({ ...base, kind: 'enum', options: raw.enum as string[] });
    else if (raw.type === 'string' || raw.type === 'number' || raw.type === 'integer' || raw.type === 'boolean') fields.push({ ...base, kind: raw.type });
    else return null;
  }
  return fields;
}

export function RunWorkflowDialog({ workflow, versionId, onClose }: { workflow: WorkflowDetail; versionId?: string; onClose: () => void }) {
  const execute = useExecuteWorkflow(workflow.id);
  const toast = useToast();
  const fields = formFieldsOf(workflow.inputSchema);
  const [values, setValues] = useState<Record<string, string | boolean>>({});
  const [isRaw, setIsRaw] = useState(fields === null);
  const [raw, setRaw] = useState('{\n  \n}');
  const [rawError, setRawError] = useState<string | undefined>();

  const inputFromForm = (): Record<string, unknown> => {
    const input: Record<string, unknown> = {};
    for (const f of fields ?? []) {
      const v = values[f.name];
      if (f.kind === 'boolean') input[f.name] = v === true;
      else if (v === undefined || v === '') continue;
      else if (f.kind === 'number' || f.kind === 'integer') input[f.name] = Number(v);
      else input[f.name] = v;
    }
    return input;
  };

  return (
    <Dialog open onClose={onClose} title={`Run ${workflow.name}`} description={versionId ? 'A test run of the current draft.' : `Runs the deployed version (v${workflow.deployedVersion}).`}>
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          let input: Record<string, unknown>;
          if (isRaw) {
            try {
              input = JSON.parse(raw) as Record<string, unknown>;
              setRawError(undefined);
            } catch {
              setRawError('Not valid JSON');
              return;
            }
          } else {
            input = inputFromForm();
          }
          execute.mutate({ input, ...(versionId ? { versionId } : {}) }, {
            onSuccess: (started) => {
              toast.success('Execution started');
              onClose();
              navigate(`/executions/${started.executionId}`);
            },
          });
        }}
      >
        {!isRaw && fields ? (
          fields.length === 0 ? <p className="muted">This workflow takes no input.</p> : fields.map((f) => {
            const error = fieldError(execute.error, `input.${f.name}`);
            const label = `${f.name}${f.isRequired ? '' : ' (optional)'}`;
            if (f.kind === 'boolean') {
              return (
                <label key={f.name} className="row" style={{ gap: 8 }}>
                  <input type="checkbox" checked={values[f.name] === true} onChange={(e) => setValues({ ...values, [f.name]: e.target.checked })} /> {f.name}
                </label>
              );
            }
            if (f.kind === 'enum') {
              return <SelectField key={f.name} label={label} hint={f.description} error={error} value={String(values[f.name] ?? '')} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} options={[{ value: '', label: 'Choose…' }, ...f.options!.map((o) => ({ value: o, label: o }))]} />;
            }
            return (
              <TextField key={f.name} label={label} hint={f.description} error={error} type={f.kind === 'string' ? 'text' : 'number'} step={f.kind === 'number' ? 'any' : undefined}
                value={String(values[f.name] ?? '')} required={f.isRequired} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} />
            );
          })
        ) : (
          <div className={`field${rawError ? ' field-invalid' : ''}`}>
            <label htmlFor="run-raw-input">Input (JSON)</label>
            <textarea id="run-raw-input" className="input textarea mono" rows={6} value={raw} onChange={(e) => setRaw(e.target.value)} spellCheck={false} />
            {rawError ? <p className="field-error" role="alert">{rawError}</p> : null}
          </div>
        )}
        {fields ? (
          <button type="button" className="btn btn-link btn-sm" onClick={() => setIsRaw(!isRaw)}>{isRaw ? 'Use the form' : 'Edit as JSON'}</button>
        ) : null}
        <FormError message={execute.error && !(fields ?? []).some((f) => fieldError(execute.error, `input.${f.name}`)) ? errorMessage(execute.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={onClose}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={execute.isPending}>{execute.isPending ? 'Starting…' : 'Run'}</button>
        </div>
      </form>
    </Dialog>
  );
}
