// Platform admin: every workspace of the installation; filter, sort, page, suspend, restore,
// delete (soft) and create. Every action here is audited by the server.
import { useEffect, useState } from 'react';
import { useAdminCreateWorkspace, useAdminWorkspaceAction, useAdminWorkspaces } from '../../api/admin.ts';
import type { AdminAction } from '../../api/admin.ts';
import { errorMessage, fieldError } from '../../api/client.ts';
import type { AdminWorkspace, AdminWorkspaceQuery, Plan, WorkspaceStatus } from '../../api/types.ts';
import { Badge, StatusBadge } from '../../components/badge.tsx';
import { ConfirmDialog, Dialog } from '../../components/dialog.tsx';
import { FormError, SelectField, TextField } from '../../components/field.tsx';
import { Icon } from '../../components/icons.tsx';
import { ImpersonateDialog } from '../../components/impersonate-dialog.tsx';
import { Menu, MenuItem } from '../../components/menu.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading, Spinner } from '../../components/states.tsx';
import { RelativeTime } from '../../components/time.tsx';
import { useToast } from '../../components/toast.tsx';
import { capitalize } from '../../lib/format.ts';
import { Link, navigate } from '../../lib/router.tsx';

const PAGE_SIZE = 20;
type SortKey = AdminWorkspaceQuery['sort'];

const ACTION_COPY: Record<AdminAction, { title: string; text: string; label: string; done: string }> = {
  suspend: { title: 'Suspend', text: 'Its members and API keys are refused until it is restored. Data is kept.', label: 'Suspend workspace', done: 'suspended' },
  restore: { title: 'Restore', text: 'Its members and API keys work again.', label: 'Restore workspace', done: 'restored' },
  delete: { title: 'Delete', text: 'Access is refused and it disappears from its members’ lists. Data is kept, and a platform admin can restore it.', label: 'Delete workspace', done: 'deleted' },
};

function useDebounced<T>(value: T, ms: number): T {
  const [debounced, setDebounced] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setDebounced(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return debounced;
}

export function AdminWorkspacesPage() {
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<WorkspaceStatus | ''>('');
  const [plan, setPlan] = useState<Plan | ''>('');
  const [sort, setSort] = useState<SortKey>('createdAt');
  const [order, setOrder] = useState<'asc' | 'desc'>('desc');
  const [page, setPage] = useState(0);
  const q = useDebounced(search.trim(), 300);
  const query: AdminWorkspaceQuery = { q: q || undefined, status: status || undefined, plan: plan || undefined, sort, order, limit: PAGE_SIZE, offset: page * PAGE_SIZE };
  const workspaces = useAdminWorkspaces(query);
  const action = useAdminWorkspaceAction();
  const toast = useToast();
  const [pending, setPending] = useState<{ workspace: AdminWorkspace; action: AdminAction } | null>(null);
  const [reason, setReason] = useState('');
  const [isCreating, setIsCreating] = useState(false);
  const [impersonateIn, setImpersonateIn] = useState<AdminWorkspace | null>(null);

  useEffect(() => setPage(0), [q, status, plan, sort, order]);
  const isFiltered = Boolean(q || status || plan);

  const sortBy = (key: SortKey) => {
    if (sort === key) setOrder(order === 'asc' ? 'desc' : 'asc');
    else {
      setSort(key);
      setOrder(key === 'createdAt' ? 'desc' : 'asc');
    }
  };

  const sortHeader = (label: string, sortKey: SortKey) => (
    <th scope="col" aria-sort={sort === sortKey ? (order === 'asc' ? 'ascending' : 'descending') : undefined}>
      <button type="button" className="sort-button" onClick={() => sortBy(sortKey)}>
        {label}
        <span className="sort-indicator" aria-hidden="true">{sort === sortKey ? (order === 'asc' ? '▲' : '▼') : '↕'}</span>
      </button>
    </th>
  );

  const total = workspaces.data?.total ?? 0;
  const from = total === 0 ? 0 : page * PAGE_SIZE + 1;
  const to = Math.min(total, (page + 1) * PAGE_SIZE);

  return (
    <>
      <PageHeader
        title="All workspaces"
        description="Every workspace on this installation. Actions here cross workspace boundaries; each one is logged with your name and the request id."
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setIsCreating(true)}>
            <Icon name="plus" /> Create workspace
          </button>
        }
      />
      <Card id="admin-workspaces">
        <div className="toolbar">
          <label className="search">
            <Icon name="search" />
            <span className="sr-only">Search workspaces</span>
            <input className="input" type="search" placeholder="Search by name or slug" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          <label className="toolbar-field">
            <span>Status</span>
            <select className="input" value={status} onChange={(e) => setStatus(e.target.value as WorkspaceStatus | '')}>
              <option value="">All</option>
              <option value="active">Active</option>
              <option value="suspended">Suspended</option>
              <option value="deleted">Deleted</option>
            </select>
          </label>
          <label className="toolbar-field">
            <span>Plan</span>
            <select className="input" value={plan} onChange={(e) => setPlan(e.target.value as Plan | '')}>
              <option value="">All</option>
              <option value="free">Free</option>
              <option value="pro">Pro</option>
              <option value="enterprise">Enterprise</option>
            </select>
          </label>
          {workspaces.isFetching && !workspaces.isPending ? <Spinner /> : null}
        </div>

        {workspaces.isPending ? (
          <Loading label="Loading workspaces…" />
        ) : workspaces.isError ? (
          <ErrorState error={workspaces.error} onRetry={() => void workspaces.refetch()} />
        ) : workspaces.data.data.length === 0 ? (
          <EmptyState icon="building" title={isFiltered ? 'No workspace matches' : 'No workspaces yet'}>
            {isFiltered ? 'Try another search, status or plan.' : 'Workspaces appear here when people sign up, or create one.'}
          </EmptyState>
        ) : (
          <>
            <div className="table-wrap">
              <table className="table">
                <thead>
                  <tr>
                    {sortHeader('Name', 'name')}
                    {sortHeader('Slug', 'slug')}
                    <th scope="col">Kind</th>
                    <th scope="col">Plan</th>
                    <th scope="col">Status</th>
                    {sortHeader('Created', 'createdAt')}
                    <th scope="col"><span className="sr-only">Actions</span></th>
                  </tr>
                </thead>
                <tbody>
                  {workspaces.data.data.map((ws) => (
                    <tr key={ws.id} className={ws.status === 'deleted' ? 'row-muted' : undefined}>
                      <td>
                        <Link to={`/admin/workspaces/${ws.id}`}><strong>{ws.name}</strong></Link>
                        <span className="muted block small">{ws.memberCount} {ws.memberCount === 1 ? 'member' : 'members'}</span>
                      </td>
                      <td className="mono">{ws.slug}</td>
                      <td><Badge>{capitalize(ws.kind)}</Badge></td>
                      <td>{capitalize(ws.plan)}</td>
                      <td>
                        <StatusBadge status={ws.status} />
                        {ws.statusReason && ws.status !== 'active' ? <span className="muted block small" title={ws.statusReason}>{ws.statusReason}</span> : null}
                      </td>
                      <td><RelativeTime iso={ws.createdAt} /></td>
                      <td className="cell-actions">
                        <Menu triggerClassName="btn btn-ghost btn-sm" triggerLabel={`Actions for ${ws.name}`} trigger={<span aria-hidden="true">•••</span>}>
                          {(close) => (
                            <>
                              <MenuItem onSelect={() => { close(); navigate(`/admin/workspaces/${ws.id}`); }}>Open</MenuItem>
                              {ws.status === 'active' ? <MenuItem onSelect={() => { close(); setImpersonateIn(ws); }}>Impersonate…</MenuItem> : null}
                              {ws.status === 'active' ? <MenuItem onSelect={() => { close(); setPending({ workspace: ws, action: 'suspend' }); }}>Suspend</MenuItem> : null}
                              {ws.status !== 'active' ? <MenuItem onSelect={() => { close(); setPending({ workspace: ws, action: 'restore' }); }}>Restore</MenuItem> : null}
                              {ws.status !== 'deleted' ? <MenuItem tone="danger" onSelect={() => { close(); setPending({ workspace: ws, action: 'delete' }); }}>Delete</MenuItem> : null}
                            </>
                          )}
                        </Menu>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="pagination">
              <span className="muted">{from}–{to} of {total}</span>
              <div className="row">
                <button type="button" className="btn btn-secondary btn-sm" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
                <button type="button" className="btn btn-secondary btn-sm" disabled={to >= total} onClick={() => setPage(page + 1)}>Next</button>
              </div>
            </div>
          </>
        )}
      </Card>

      <ConfirmDialog
        open={pending !== null}
        title={pending ? `${ACTION_COPY[pending.action].title} ${pending.workspace.name}?` : ''}
        description={pending ? ACTION_COPY[pending.action].text : ''}
        confirmLabel={pending ? ACTION_COPY[pending.action].label : ''}
        tone={pending?.action === 'restore' ? 'primary' : 'danger'}
        isPending={action.isPending}
        error={action.error ? errorMessage(action.error) : null}
        onClose={() => { setPending(null); setReason(''); action.reset(); }}
        onConfirm={() => pending && action.mutate({ id: pending.workspace.id, action: pending.action, reason: reason.trim() || undefined }, {
          onSuccess: () => {
            toast.success(`${pending.workspace.name} ${ACTION_COPY[pending.action].done}`);
            setPending(null);
            setReason('');
          },
        })}
      >
        {pending?.action === 'suspend' ? (
          <TextField label="Reason (optional)" value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} placeholder="Unpaid invoice" hint="Kept with the workspace and shown to platform admins." />
        ) : null}
      </ConfirmDialog>
      <CreateDialog open={isCreating} onClose={() => setIsCreating(false)} />
      <ImpersonateDialog workspace={impersonateIn} onClose={() => setImpersonateIn(null)} />
    </>
  );
}

function CreateDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const create = useAdminCreateWorkspace();
  const toast = useToast();
  const empty = { name: '', slug: '', plan: 'free' as Plan, ownerEmail: '' };
  const [form, setForm] = useState(empty);
  const close = () => {
    setForm(empty);
    create.reset();
    onClose();
  };
  const errors = {
    name: fieldError(create.error, 'name'),
    slug: fieldError(create.error, 'slug', ['SLUG_TAKEN']),
    plan: fieldError(create.error, 'plan'),
    ownerEmail: fieldError(create.error, 'ownerEmail', ['USER_NOT_FOUND']),
  };

  return (
    <Dialog open={open} onClose={close} title="Create a workspace" description="A new organization workspace.">
      <form
        className="form"
        onSubmit={(event) => {
          event.preventDefault();
          create.mutate({
            name: form.name.trim(),
            plan: form.plan,
            ...(form.slug.trim() ? { slug: form.slug.trim() } : {}),
            ...(form.ownerEmail.trim() ? { ownerEmail: form.ownerEmail.trim() } : {}),
          }, {
            onSuccess: (ws) => {
              toast.success(`${ws.name} created`);
              close();
            },
          });
        }}
      >
        <TextField label="Name" value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} required autoFocus maxLength={200} error={errors.name} />
        <TextField label="Slug (optional)" value={form.slug} onChange={(e) => setForm({ ...form, slug: e.target.value.toLowerCase() })} pattern="[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?" hint="Lowercase letters, digits and dashes. Made from the name when empty." className="mono" error={errors.slug} />
        <SelectField label="Plan" value={form.plan} onChange={(e) => setForm({ ...form, plan: e.target.value as Plan })} options={[{ value: 'free', label: 'Free' }, { value: 'pro', label: 'Pro' }, { value: 'enterprise', label: 'Enterprise' }]} error={errors.plan} />
        <TextField label="Owner email (optional)" type="email" value={form.ownerEmail} onChange={(e) => setForm({ ...form, ownerEmail: e.target.value })} hint="An existing user who becomes its owner. Leave empty to invite one later." error={errors.ownerEmail} />
        <FormError message={create.error && !Object.values(errors).some(Boolean) ? errorMessage(create.error) : null} />
        <div className="dialog-actions">
          <button type="button" className="btn btn-secondary" onClick={close}>Cancel</button>
          <button type="submit" className="btn btn-primary" disabled={create.isPending || !form.name.trim()}>{create.isPending ? 'Creating…' : 'Create workspace'}</button>
        </div>
      </form>
    </Dialog>
  );
}
