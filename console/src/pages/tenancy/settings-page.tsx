// Workspace settings: its name, and the identifiers developers need.
import { useState } from 'react';
import { useSessionActions } from '../../api/auth.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import type { Workspace } from '../../api/types.ts';
import { useCurrentWorkspace, useDeleteWorkspace, useUpdateWorkspace, useWorkspaceSettings } from '../../api/workspaces.ts';
import type { WorkspaceSetting } from '../../api/workspaces.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge, StatusBadge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { ConfirmDialog } from '../../components/dialog.tsx';
import { FormError, TextField } from '../../components/field.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { QueryView } from '../../components/states.tsx';
import { useToast } from '../../components/toast.tsx';
import { capitalize, formatDateTime } from '../../lib/format.ts';

export function SettingsPage() {
  const { can } = useSession();
  const current = useCurrentWorkspace();
  return (
    <>
      <PageHeader title="Settings" description="How this workspace is named, identified and behaves." />
      <QueryView query={current} loadingLabel="Loading settings…">
        {(workspace) => (
          <>
            <GeneralCard key={workspace.id + workspace.name} workspace={workspace} />
            <WorkspaceSettingsCard />
            <IdentifiersCard workspace={workspace} />
            {can('workspace.delete') ? <DangerCard workspace={workspace} /> : null}
          </>
        )}
      </QueryView>
    </>
  );
}

function GeneralCard({ workspace }: { workspace: Workspace }) {
  const { can } = useSession();
  const update = useUpdateWorkspace();
  const toast = useToast();
  const [name, setName] = useState(workspace.name);
  const isAllowed = can('workspace.update');
  const nameError = fieldError(update.error, 'name');

  return (
    <Card id="general" title="General">
      <form
        className="form form-narrow"
        onSubmit={(event) => {
          event.preventDefault();
          update.mutate({ name: name.trim() }, { onSuccess: (ws) => toast.success(`Renamed to ${ws.name}`) });
        }}
      >
        <TextField
          label="Workspace name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          required
          maxLength={200}
          disabled={!isAllowed}
          hint={isAllowed ? 'Shown in the console and in the mails sent to members. The slug does not change.' : 'Only owners and admins can rename the workspace.'}
          error={nameError}
        />
        <FormError message={update.error && !nameError ? errorMessage(update.error) : null} />
        {isAllowed ? (
          <div>
            <button type="submit" className="btn btn-primary" disabled={update.isPending || !name.trim() || name.trim() === workspace.name}>
              {update.isPending ? 'Saving…' : 'Save'}
            </button>
          </div>
        ) : null}
      </form>
    </Card>
  );
}

/**
 * Every setting a module registered (network, retention, rate limits, models, agents, memory):
 * its description, the value in effect, an editor shaped by its JSON Schema, and a reset.
 */
function WorkspaceSettingsCard() {
  const settings = useWorkspaceSettings();
  return (
    <Card id="workspace-settings" title="Workspace settings" description="How the platform behaves for this workspace. Each change is audited; Reset goes back to the platform's default.">
      <QueryView query={settings} loadingLabel="Loading settings…">
        {(list) => (
          <ul className="list" data-testid="workspace-settings">
            {list.map((s) => <SettingRow key={s.key + JSON.stringify(s.value)} setting={s} />)}
          </ul>
        )}
      </QueryView>
    </Card>
  );
}

type Shape = 'boolean' | 'number' | 'string' | 'lines' | 'json';
function shapeOf(schema: Record<string, unknown>): Shape {
  if (schema.type === 'boolean') return 'boolean';
  if (schema.type === 'integer' || schema.type === 'number') return 'number';
  if (schema.type === 'string') return 'string';
  if (schema.type === 'array' && (schema.items as { type?: string } | undefined)?.type === 'string') return 'lines';
  return 'json';
}
const draftOf = (shape: Shape, value: unknown): string =>
  shape === 'lines' ? (Array.isArray(value) ? value.join('\n') : '') : shape === 'json' ? JSON.stringify(value, null, 2) : value === null || value === undefined ? '' : String(value);

function SettingRow({ setting }: { setting: WorkspaceSetting }) {
  const { can } = useSession();
  const update = useUpdateWorkspace();
  const toast = useToast();
  const shape = shapeOf(setting.schema);
  const [draft, setDraft] = useState(draftOf(shape, setting.value));
  const [parseError, setParseError] = useState<string | null>(null);
  const isAllowed = can('workspace.update');
  const save = (value: unknown) => update.mutate({ settings: { [setting.key]: value } }, { onSuccess: () => toast.success(value === null ? `${setting.key} reset` : `${setting.key} saved`) });
  const submit = () => {
    setParseError(null);
    if (shape === 'number') return save(Number(draft));
    if (shape === 'string') return save(draft);
    if (shape === 'lines') return save(draft.split('\n').map((l) => l.trim()).filter(Boolean));
    try {
      return save(JSON.parse(draft));
    } catch {
      setParseError('Not valid JSON');
    }
  };
  const label = <><code>{setting.key}</code>{setting.isDefault ? <span className="small muted"> · default</span> : null}</>;
  return (
    <li className="stack" style={{ padding: '10px 0' }} data-testid={`setting-${setting.key}`}>
      {shape === 'boolean' ? (
        <label className="row"><input type="checkbox" checked={setting.value === true} disabled={!isAllowed || update.isPending} onChange={(e) => save(e.target.checked)} aria-label={setting.key} /> {label}</label>
      ) : <span>{label}</span>}
      <span className="small muted">{setting.description}</span>
      {shape !== 'boolean' ? (
        <form className="row" style={{ alignItems: 'flex-start', gap: 8 }} onSubmit={(e) => { e.preventDefault(); submit(); }}>
          {shape === 'lines' || shape === 'json'
            ? <textarea className="input mono" rows={shape === 'json' ? 4 : 3} value={draft} onChange={(e) => setDraft(e.target.value)} disabled={!isAllowed} aria-label={setting.key} placeholder={shape === 'lines' ? 'One per line' : undefined} style={{ flex: 1 }} />
            : <input className="input" type={shape === 'number' ? 'number' : 'text'} value={draft} onChange={(e) => setDraft(e.target.value)} disabled={!isAllowed} aria-label={setting.key} style={{ flex: 1 }} />}
          {isAllowed ? <button type="submit" className="btn btn-secondary btn-sm" disabled={update.isPending || draft === draftOf(shape, setting.value)}>Save</button> : null}
        </form>
      ) : null}
      {isAllowed && !setting.isDefault ? <span><button type="button" className="btn btn-ghost btn-sm" disabled={update.isPending} onClick={() => save(null)}>Reset to default</button></span> : null}
      <FormError message={parseError ?? (update.error ? errorMessage(update.error) : null)} />
    </li>
  );
}

function IdentifiersCard({ workspace }: { workspace: Workspace }) {
  const { me } = useSession();
  const parent = workspace.parentId ? me.memberships.find((m) => m.workspaceId === workspace.parentId) : undefined;
  return (
    <Card id="identifiers" title="Identifiers" description="For scripts, support requests and the API.">
      <dl className="definition-list">
        <dt>Workspace ID</dt>
        <dd>
          <code>{workspace.id}</code> <CopyButton text={workspace.id} />
        </dd>
        <dt>Slug</dt>
        <dd><code>{workspace.slug}</code></dd>
        <dt>Kind</dt>
        <dd><Badge>{capitalize(workspace.kind)}</Badge></dd>
        <dt>Plan</dt>
        <dd><Badge tone="info">{capitalize(workspace.plan)}</Badge></dd>
        <dt>Status</dt>
        <dd><StatusBadge status={workspace.status} /></dd>
        {workspace.parentId ? (
          <>
            <dt>Inside</dt>
            <dd>{parent ? parent.name : <code>{workspace.parentId}</code>}</dd>
          </>
        ) : null}
        {workspace.createdAt ? (
          <>
            <dt>Created</dt>
            <dd>{formatDateTime(workspace.createdAt)}</dd>
          </>
        ) : null}
      </dl>
    </Card>
  );
}

function DangerCard({ workspace }: { workspace: Workspace }) {
  const remove = useDeleteWorkspace();
  const actions = useSessionActions();
  const [isOpen, setIsOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const close = () => {
    setIsOpen(false);
    setTyped('');
    remove.reset();
  };

  return (
    <Card id="danger" title="Delete workspace" className="card-danger" description="Members, API keys and sessions stop working at once. The data is kept, and a platform admin can restore the workspace.">
      <div>
        <button type="button" className="btn btn-danger" onClick={() => setIsOpen(true)}>
          Delete {workspace.name}
        </button>
      </div>
      <ConfirmDialog
        open={isOpen}
        title={`Delete ${workspace.name}?`}
        description="Every session in this workspace ends, yours included: you will log in again to reach your other workspaces."
        confirmLabel="Delete workspace"
        isPending={remove.isPending}
        isConfirmDisabled={typed !== workspace.slug}
        error={remove.error ? errorMessage(remove.error) : null}
        onClose={close}
        onConfirm={() => remove.mutate(undefined, { onSuccess: () => void actions.logout() })}
      >
        <TextField label={<>Type <code>{workspace.slug}</code> to confirm</>} value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} className="mono" />
      </ConfirmDialog>
    </Card>
  );
}
