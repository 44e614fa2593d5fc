// Roles & permissions: built-in roles (from the registry, read-only), custom roles (create, edit
// with a permission checklist grouped by resource, delete) and who holds them (assign). Buttons
// follow /auth/me's permissions; the server decides every request.
import { useState } from 'react';
import { useDeleteRole, useMembersWithRoles, usePermissionRegistry, useRoles, useSaveRole, useSetMemberRoles } from '../../api/roles.ts';
import type { Conditions, CustomRole, Grant, PermissionInfo } from '../../api/roles.ts';
import type { Permission } from '../../api/types.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import { SELF } from '../../../../src/modules/access/registry.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge, RoleBadge } from '../../components/badge.tsx';
import { ConfirmMutationDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, Notice, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, QueryView } from '../../components/states.tsx';
import { useToast } from '../../components/toast.tsx';

export function RolesPage() {
  const { can } = useSession();
  const roles = useRoles();
  const registry = usePermissionRegistry();
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<CustomRole | 'new' | null>(null);
  const [assigning, setAssigning] = useState<CustomRole | null>(null);
  const [deleting, setDeleting] = useState<CustomRole | null>(null);
  const canManage = can('role.manage');
  const canAssign = can('member.update') && can('member.read');

  const createButton = canManage ? (
    <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
      <Icon name="plus" /> New role
    </button>
  ) : null;

  return (
    <>
      <PageHeader
        title="Roles & permissions"
        description="Every member has a built-in role; custom roles add permissions on top of it, optionally only for the resources the member created."
        actions={createButton}
      />
      <Card id="custom-roles" title="Custom roles">
        <QueryView query={roles} loadingLabel="Loading roles…">
          {({ data }) =>
            data.length === 0 ? (
              <EmptyState icon="shield" title="No custom roles yet" action={createButton}>
                {canManage ? 'Create a role to give some members more than their built-in role allows — for example “may revoke only the API keys they created”.' : 'An owner or admin can create custom roles here.'}
              </EmptyState>
            ) : (
              <div className="table-wrap">
                <table className="table">
                  <thead>
                    <tr>
                      <th scope="col">Role</th>
                      <th scope="col">Permissions</th>
                      <th scope="col">Members</th>
                      <th scope="col">API keys</th>
                      <th scope="col"><span className="sr-only">Actions</span></th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.map((role) => (
                      <tr key={role.id}>
                        <td>
                          <strong>{role.name}</strong>
                          {role.description ? <div className="muted small">{role.description}</div> : null}
                        </td>
                        <td><GrantList grants={role.permissions} /></td>
                        <td>{role.memberCount}</td>
                        <td>{role.apiKeyCount}</td>
                        <td className="cell-actions">
                          {canAssign ? (
                            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setAssigning(role)}>Members</button>
                          ) : null}
                          {canManage ? (
                            <>
                              <button type="button" className="btn btn-ghost btn-sm" onClick={() => setEditing(role)}>Edit</button>
                              <button type="button" className="btn btn-ghost btn-sm btn-danger-text" onClick={() => setDeleting(role)}>Delete</button>
                            </>
                          ) : null}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )
          }
        </QueryView>
      </Card>
      <Card id="built-in-roles" title="Built-in roles" description="Defined by Atrium; every member holds exactly one.">
        <QueryView query={roles} loadingLabel="Loading roles…">
          {({ builtIn }) => (
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Role</th>
                    <th scope="col">What it may do</th>
                    <th scope="col">Permissions</th>
                  </tr>
                </thead>
                <tbody>
                  {builtIn.map((role) => (
                    <tr key={role.name}>
                      <td><RoleBadge role={role.name} /></td>
                      <td className="small">{role.description}</td>
                      <td className="small muted" title={role.permissions.join(', ')}>{role.permissions.length} of {registry.data?.length ?? '…'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </QueryView>
      </Card>

      {editing !== null && registry.data ? (
        <RoleDialog role={editing === 'new' ? null : editing} registry={registry.data} onClose={() => setEditing(null)} />
      ) : null}
      {assigning ? <AssignDialog role={assigning} onClose={() => setAssigning(null)} /> : null}
      <ConfirmMutationDialog
        target={deleting}
        onDone={() => setDeleting(null)}
        title={(t) => `Delete “${t.name}”?`}
        description={(t) => `${t.memberCount ?? 0} member(s) lose this role at once; they keep their built-in role.`}
        confirmLabel="Delete role"
        mutation={remove}
        variables={(t) => t.id}
        successMessage={(t) => `${t.name} deleted`}
      />
    </>
  );
}

function isOwnOnly(conditions: Conditions | null): boolean {
  return conditions !== null && Object.keys(conditions).length === 1 && conditions.createdBy === SELF;
}

function GrantList({ grants }: { grants: Grant[] }) {
  if (grants.length === 0) return <span className="muted">None</span>;
  return (
    <div className="row" style={{ flexWrap: 'wrap', gap: 4 }}>
      {grants.map((g) => (
        <Badge key={g.permission} tone={g.conditions ? 'warning' : 'neutral'} title={g.conditions ? JSON.stringify(g.conditions) : undefined}>
          {g.permission}{g.conditions ? (isOwnOnly(g.conditions) ? ' (own only)' : ' (conditional)') : ''}
        </Badge>
      ))}
    </div>
  );
}

/** Create (role null) or edit: name, description, and a checklist grouped by resource. */
function RoleDialog({ role, registry, onClose }: { role: CustomRole | null; registry: PermissionInfo[]; onClose: () => void }) {
  const { me } = useSession();
  const save = useSaveRole();
  const toast = useToast();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [grants, setGrants] = useState<Map<Permission, Conditions | null>>(() => new Map((role?.permissions ?? []).map((g) => [g.permission, g.conditions])));
  const held = new Set(me.permissions);
  const resources = [...new Set(registry.map((p) => p.resource))];

  const toggle = (permission: Permission, isOn: boolean) => setGrants((prev) => {
    const next = new Map(prev);
    if (isOn) next.set(permission, null);
    else next.delete(permission);
    return next;
  });
  const setOwnOnly = (permission: Permission, isOwn: boolean) => setGrants((prev) => new Map(prev).set(permission, isOwn ? { createdBy: SELF } : null));
  const close = () => { save.reset(); onClose(); };
  const formError = save.error && !['name', 'description'].some((f) => fieldError(save.error, f)) ? errorMessage(save.error) : null;

  return (
    <Dialog open size="wide" onClose={close} title={role ? `Edit ${role.name}` : 'New role'} description="Members holding this role get these permissions on top of their built-in role. You can only grant permissions you hold yourself.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          const permissions = [...grants].map(([permission, conditions]) => ({ permission, conditions }));
          save.mutate({ id: role?.id ?? null, input: { name: name.trim(), description: description.trim(), permissions } }, {
            onSuccess: (saved) => {
              toast.success(role ? `${saved.name} saved` : `${saved.name} created`);
              close();
            },
          });
        }}
      >
        <TextField label="Name" value={name} onChange={(e) => setName(e.target.value)} required maxLength={60} autoFocus placeholder="Key janitor" error={fieldError(save.error, 'name')} />
        <TextField label="Description" value={description} onChange={(e) => setDescription(e.target.value)} maxLength={500} placeholder="Sees API keys and revokes the ones they created" error={fieldError(save.error, 'description')} />
        <fieldset className="permission-groups" style={{ border: 'none', padding: 0, margin: 0, display: 'grid', gap: 12 }}>
          <legend>Permissions</legend>
          {resources.map((resource) => (
            <div key={resource} className="permission-group">
              <p className="small" style={{ fontWeight: 600, margin: '4px 0' }}>{resource.replaceAll('_', ' ')}</p>
              {registry.filter((p) => p.resource === resource).map((p) => {
                const isOn = grants.has(p.name);
                const conditions = grants.get(p.name) ?? null;
                const canBeOwn = p.conditionFields.some((f) => f.kind === 'user');
                const isGrantable = held.has(p.name) || isOn;
                return (
                  <div key={p.name} className="row" style={{ justifyContent: 'space-between', gap: 12 }}>
                    <label className="checkbox" title={isGrantable ? undefined : 'You don’t hold this permission'}>
                      <input type="checkbox" checked={isOn} disabled={!isGrantable} onChange={(e) => toggle(p.name, e.target.checked)} />
                      <span><code>{p.name}</code> <span className="muted small">{p.description}</span></span>
                    </label>
                    {isOn && canBeOwn ? (
                      <label className="checkbox small">
                        <input type="checkbox" checked={isOwnOnly(conditions)} onChange={(e) => setOwnOnly(p.name, e.target.checked)} />
                        <span>only their own</span>
                      </label>
                    ) : null}
                    {isOn && conditions && !isOwnOnly(conditions) ? <Badge tone="warning" title={JSON.stringify(conditions)}>conditional (kept)</Badge> : null}
                  </div>
                );
              })}
            </div>
          ))}
        </fieldset>
        <FormError message={formError} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending || !name.trim()}>
            {save.isPending ? 'Saving…' : role ? 'Save role' : 'Create role'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

/** Who holds a role: one checkbox per member; each change is a PUT of that member's roles. */
function AssignDialog({ role, onClose }: { role: CustomRole; onClose: () => void }) {
  const members = useMembersWithRoles();
  const assign = useSetMemberRoles();
  const toast = useToast();
  return (
    <Dialog open size="wide" onClose={() => { assign.reset(); onClose(); }} title={`Members holding ${role.name}`} description="Changes apply on the member’s next request.">
      <QueryView query={members} loadingLabel="Loading members…">
        {(list) => (
          <div className="stack">
            {list.map((m) => {
              const holds = m.roleIds.includes(role.id);
              return (
                <label key={m.userId} className="checkbox">
                  <input
                    type="checkbox"
                    checked={holds}
                    disabled={assign.isPending}
                    onChange={(e) => assign.mutate(
                      { userId: m.userId, roleIds: e.target.checked ? [...m.roleIds, role.id] : m.roleIds.filter((id) => id !== role.id) },
                      { onSuccess: () => toast.success(`${m.name || m.email}: roles updated`) },
                    )}
                  />
                  <span>{m.name || m.email} <span className="muted small">{m.email}</span> <RoleBadge role={m.role} /></span>
                </label>
              );
            })}
            {list.length === 0 ? <Notice>No members yet.</Notice> : null}
          </div>
        )}
      </QueryView>
      <FormError message={assign.error ? errorMessage(assign.error) : null} />
      <div className="dialog-actions">
        <button type="button" className="btn btn-secondary" onClick={() => { assign.reset(); onClose(); }}>Done</button>
      </div>
    </Dialog>
  );
}
