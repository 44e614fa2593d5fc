// API keys: list, create (the secret is shown once) with a built-in role and optional custom roles,
// change a key's custom roles, revoke.
import { useState } from 'react';
import { canGrantRole } from '../../../../src/modules/access/registry.ts';
import { useCreateApiKey, useApiKeys, useRevokeApiKey, useSetApiKeyRoles } from '../../api/api-keys.ts';
import { useRoles } from '../../api/roles.ts';
import type { CustomRole } from '../../api/roles.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import type { ApiKey, ApiKeyRole, CreatedApiKey } from '../../api/types.ts';
import { useSession } from '../../auth/session.tsx';
import { useToast } from '../../components/toast.tsx';
import { Badge, RoleBadge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, Notice, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { capitalize, formatDate } from '../../lib/format.ts';

const KEY_ROLES: ApiKeyRole[] = ['admin', 'member', 'viewer'];
const EXPIRIES = [
  { value: '', label: 'Never' },
  { value: '7', label: 'In 7 days' },
  { value: '30', label: 'In 30 days' },
  { value: '90', label: 'In 90 days' },
  { value: '365', label: 'In a year' },
];

export function ApiKeysPage() {
  const { can } = useSession();
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [isCreating, setIsCreating] = useState(false);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [editingRoles, setEditingRoles] = useState<ApiKey | null>(null);
  const roles = useRoles();
  const roleNames = new Map((roles.data?.data ?? []).map((r) => [r.id, r.name]));

  const createButton = can('api_key.create') ? (
    <button type="button" className="btn btn-primary" onClick={() => setIsCreating(true)}>
      <Icon name="plus" /> Create API key
    </button>
  ) : null;

  return (
    <>
      <PageHeader title="API keys" description="Keys let scripts, CI and servers call the Atrium API as this workspace, with the role you give them." actions={createButton} />
      <Card id="keys">
        <QueryView query={keys} loadingLabel="Loading API keys…">
          {(list) =>
            list.length === 0 ? (
              <EmptyState icon="key" title="No API keys yet" action={createButton}>
                Create one to call the API from scripts.
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Key</th>
                      <th scope="col">Role</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Created</th>
                      <th scope="col">Expires</th>
                      <th scope="col"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((key) => {
                      const isExpired = key.expiresAt !== null && new Date(key.expiresAt).getTime() < Date.now();
                      return (
                        <tr key={key.id} className={key.revokedAt ? 'row-muted' : undefined}>
                          <td><strong>{key.name}</strong></td>
                          <td><code className="key-prefix">{key.prefix}…</code></td>
                          <td>
                            <span className="row" style={{ gap: 4, flexWrap: 'wrap' }}>
                              <RoleBadge role={key.role} />
                              {key.roleIds.map((id) => <Badge key={id} tone="info">{roleNames.get(id) ?? 'custom role'}</Badge>)}
                            </span>
                          </td>
                          <td><RelativeTime iso={key.lastUsedAt} /></td>
                          <td><RelativeTime iso={key.createdAt} /></td>
                          <td>
                            {key.revokedAt ? <Badge tone="danger">Revoked</Badge> : isExpired ? <Badge tone="warning">Expired</Badge> : key.expiresAt ? formatDate(key.expiresAt) : <span className="muted">Never</span>}
                          </td>
                          <td className="cell-actions">
                            {can('api_key.create') && can('role.read') && !key.revokedAt ? (
                              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditingRoles(key)}>
                                Roles
                              </button>
                            ) : null}
                            {can('api_key.revoke') && !key.revokedAt ? (
                              <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setRevoking(key)}>
                                Revoke
                              </button>
                            ) : null}
                          </td>
                        </tr>
                      );
                    })}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>

      <CreateKeyDialog open={isCreating} onClose={() => setIsCreating(false)} customRoles={roles.data?.data ?? []} />
      {editingRoles ? <KeyRolesDialog apiKey={editingRoles} customRoles={roles.data?.data ?? []} onClose={() => setEditingRoles(null)} /> : null}
      <ConfirmMutationDialog
        target={revoking}
        onDone={() => setRevoking(null)}
        title={(t) => `Revoke “${t.name}”?`}
        description={() => "Anything using this key stops working at once. This cannot be undone."}
        confirmLabel="Revoke key"
        mutation={revoke}
        variables={(t) => t.id}
        successMessage={(t) => `${t.name} revoked`}
      />
    </>
  );
}

/** Custom roles as checkboxes; a role with a permission you don't hold is shown but can't be picked. */
function CustomRoleChecklist({ customRoles, selected, onChange, disabled }: { customRoles: CustomRole[]; selected: string[]; onChange: (ids: string[]) => void; disabled?: boolean }) {
  const { can } = useSession();
  if (customRoles.length === 0) return <p className="muted small">No custom roles yet: create one under Roles &amp; permissions to give a key more than its built-in role.</p>;
  return (
    <fieldset className="stack" aria-label="Custom roles">
      <legend>Custom roles <span className="muted small">(added to the built-in role)</span></legend>
      {customRoles.map((r) => {
        const isHeld = selected.includes(r.id);
        const isReachable = r.permissions.every((g) => can(g.permission));
        return (
          <label key={r.id} className="checkbox" title={isReachable ? undefined : 'This role has a permission you don’t hold'}>
            <input type="checkbox" checked={isHeld} disabled={disabled || (!isReachable && !isHeld)} onChange={(e) => onChange(e.target.checked ? [...selected, r.id] : selected.filter((id) => id !== r.id))} />
            <span>{r.name} <span className="muted small">{r.permissions.map((g) => g.permission).join(', ')}</span></span>
          </label>
        );
      })}
    </fieldset>
  );
}

/** A key's custom roles: each change is a PUT of the whole set. */
function KeyRolesDialog({ apiKey, customRoles, onClose }: { apiKey: ApiKey; customRoles: CustomRole[]; onClose: () => void }) {
  const setRoles = useSetApiKeyRoles();
  const toast = useToast();
  const [selected, setSelected] = useState<string[]>(apiKey.roleIds);
  const close = () => {
    setRoles.reset();
    onClose();
  };
  return (
    <Dialog open onClose={close} title={`Roles of “${apiKey.name}”`} description="Custom roles add permissions to the key’s built-in role. Changes apply on the key’s next request.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          setRoles.mutate({ id: apiKey.id, roleIds: selected }, { onSuccess: () => { toast.success(`${apiKey.name}: roles updated`); close(); } });
        }}
      >
        <p className="row" style={{ gap: 6 }}>Built-in role: <RoleBadge role={apiKey.role} /></p>
        <CustomRoleChecklist customRoles={customRoles} selected={selected} onChange={setSelected} disabled={setRoles.isPending} />
        <FormError message={setRoles.error ? errorMessage(setRoles.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={setRoles.isPending}>{setRoles.isPending ? 'Saving…' : 'Save roles'}</button>
        </div>
      </form>
    </Dialog>
  );
}

function CreateKeyDialog({ open, onClose, customRoles }: { open: boolean; onClose: () => void; customRoles: CustomRole[] }) {
  const { me, can } = useSession();
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [role, setRole] = useState<ApiKeyRole>('member');
  const [roleIds, setRoleIds] = useState<string[]>([]);
  const [expiry, setExpiry] = useState('');
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const roles = KEY_ROLES.filter((r) => canGrantRole(me.role, r));

  const close = () => {
    setCreated(null);
    setName('');
    setExpiry('');
    setRoleIds([]);
    create.reset();
    onClose();
  };

  if (created) {
    const example = `curl -H "Authorization: Bearer ${created.key}" ${window.location.origin}/api/v1/workspaces/current`;
    return (
      <Dialog open={open} onClose={close} title="Copy your new API key" size="wide">
        <Notice tone="warning">
          <strong>This is the only time the key is shown.</strong> Store it in your secret manager now; Atrium keeps only a hash and cannot show it again.
        </Notice>
        <div className="secret-box">
          <code data-testid="new-api-key">{created.key}</code>
          <CopyButton text={created.key} label="Copy key" className="btn btn-primary btn-sm" />
        </div>
        <p className="muted small">Try it:</p>
        <div className="code-block code-block-wrap">
          <code>{example}</code>
        </div>
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>
            I have stored it
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog open={open} onClose={close} title="Create an API key" description="The key acts as this workspace with the role you choose, plus any custom roles.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate(
            { name: name.trim(), role, ...(roleIds.length ? { roleIds } : {}), ...(expiry ? { expiresInDays: Number(expiry) } : {}) },
            { onSuccess: (key) => setCreated(key) },
          );
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={100} autoFocus placeholder="CI deploys" hint="Say where it is used, so you know what breaks if you revoke it." error={fieldError(create.error, 'name')} />
        <SelectField label="Role" value={role} onChange={(e) => setRole(e.target.value as ApiKeyRole)} options={roles.map((r) => ({ value: r, label: capitalize(r) }))} error={fieldError(create.error, 'role', ['ROLE_NOT_ALLOWED'])} />
        {can('role.read') ? <CustomRoleChecklist customRoles={customRoles} selected={roleIds} onChange={setRoleIds} disabled={create.isPending} /> : null}
        <SelectField label="Expires" value={expiry} onChange={(e) => setExpiry(e.target.value)} options={EXPIRIES} error={fieldError(create.error, 'expiresInDays')} />
        <FormError message={create.error && !['name', 'expiresInDays'].some((f) => fieldError(create.error, f)) && !fieldError(create.error, 'role', ['ROLE_NOT_ALLOWED']) ? errorMessage(create.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !name.trim()}>
            {create.isPending ? 'Creating…' : 'Create key'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
