// The current workspace at a glance: identity, your role, counts and where to go next.
import { useState } from 'react';
import { useSwitchWorkspace } from '../../api/auth.ts';
import { useApiKeys } from '../../api/api-keys.ts';
import { RelativeTime } from '../../components/time.tsx';
import { useCheckMemorySpace, useMemoryQuota, useMemorySpace } from '../../api/agents.ts';
import { MemoryProviderDialog } from './memory-provider-dialog.tsx';
import { errorMessage } from '../../api/client.ts';
import { useInvitations, useMembers } from '../../api/members.ts';
import { useWorkspaces } from '../../api/workspaces.ts';
import { useSession } from '../../auth/session.tsx';
import { Badge, RoleBadge, StatusBadge } from '../../components/badge.tsx';
import { CopyButton } from '../../components/copy-button.tsx';
import { CreateWorkspaceDialog } from '../../components/create-workspace-dialog.tsx';
import { Icon } from '../../components/icons.tsx';
import type { IconName } from '../../components/icons.tsx';
import { Card, PageHeader } from '../../components/page.tsx';
import { EmptyState, ErrorState, Loading, Spinner } from '../../components/states.tsx';
import { useToast } from '../../components/toast.tsx';
import { WorkspaceAvatar } from '../../components/workspace-switcher.tsx';
import { capitalize } from '../../lib/format.ts';
import { Link, navigate } from '../../lib/router.tsx';

function Stat({ label, value, to, icon, isLoading, isError }: { label: string; value: number | undefined; to?: string; icon: IconName; isLoading: boolean; isError: boolean }) {
  const content = (
    <>
      <span className="stat-icon"><Icon name={icon} size={18} /></span>
      <span className="stat-label">{label}</span>
      <span className="stat-value" data-testid={`stat-${label.toLowerCase().replace(/\s+/g, '-')}`}>
        {isLoading ? <Spinner /> : isError ? '—' : value}
      </span>
    </>
  );
  return to ? <Link to={to} className="stat stat-link">{content}</Link> : <div className="stat">{content}</div>;
}

export function OverviewPage() {
  const { me, can } = useSession();
  const toast = useToast();
  const ws = me.workspace;
  const members = useMembers({ enabled: can('member.read') });
  const apiKeys = useApiKeys({ enabled: can('api_key.read') });
  const invitations = useInvitations({ enabled: can('member.invite') });
  const workspaces = useWorkspaces();
  const switcher = useSwitchWorkspace();
  const [isCreating, setIsCreating] = useState(false);
  const origin = window.location.origin;
  const parent = ws.parentId ? me.memberships.find((m) => m.workspaceId === ws.parentId) : undefined;
  const curl = `curl -H "Authorization: Bearer $ATRIUM_API_KEY" ${origin}/api/v1/workspaces/current`;

  const switchTo = (id: string, name: string) =>
    switcher.mutate(id, { onSuccess: () => toast.success(`Switched to ${name}`), onError: (e) => toast.error(errorMessage(e)) });

  return (
    <>
      <PageHeader
        title={
          <span className="title-with-avatar">
            <WorkspaceAvatar name={ws.name} />
            {ws.name}
          </span>
        }
        description={
          <span className="meta-row">
            <span className="mono">{ws.slug}</span>
            <Badge>{capitalize(ws.kind)}</Badge>
            <Badge tone="info">{capitalize(ws.plan)} plan</Badge>
            <StatusBadge status={ws.status} />
            {parent ? <span className="muted">in {parent.name}</span> : null}
          </span>
        }
        actions={<span className="your-role">Your role <RoleBadge role={me.role} /></span>}
      />

      <div className="stats">
        {can('member.read') ? <Stat label="Members" icon="users" to="/members" value={members.data?.length} isLoading={members.isPending} isError={members.isError} /> : null}
        {can('member.invite') ? <Stat label="Pending invitations" icon="mail" to="/members" value={invitations.data?.length} isLoading={invitations.isPending} isError={invitations.isError} /> : null}
        {can('api_key.read') ? <Stat label="API keys" icon="key" to="/api-keys" value={apiKeys.data?.filter((k) => !k.revokedAt).length} isLoading={apiKeys.isPending} isError={apiKeys.isError} /> : null}
        <Stat label="Projects and teams" icon="layers" value={workspaces.data?.filter((w) => w.parentId === ws.id).length} isLoading={workspaces.isPending} isError={workspaces.isError} />
      </div>

      <div className="grid-2">
        <Card
          id="children"
          title="Projects and teams"
          description={`Workspaces inside ${ws.name} that you belong to, each with its own members, keys and data.`}
          actions={can('workspace.create_child') ? (
            <button type="button" className="btn btn-secondary btn-sm" onClick={() => setIsCreating(true)}>
              <Icon name="plus" /> New
            </button>
          ) : null}
        >
          {workspaces.isPending ? <Loading /> : workspaces.isError ? <ErrorState error={workspaces.error} onRetry={() => void workspaces.refetch()} /> : (() => {
            const children = workspaces.data.filter((w) => w.parentId === ws.id);
            if (children.length === 0) {
              return (
                <EmptyState icon="layers" title="No projects or teams yet">
                  {can('workspace.create_child') ? 'Create one per client to keep their keys, members and data apart.' : 'An owner or admin can create them.'}
                </EmptyState>
              );
            }
            return (
              <ul className="list">
                {children.map((child) => (
                  <li key={child.id} className="list-row">
                    <WorkspaceAvatar name={child.name} size="sm" />
                    <span className="list-main">
                      <strong>{child.name}</strong>
                      <span className="muted mono">{child.slug}</span>
                    </span>
                    <RoleBadge role={child.role} />
                    <button type="button" className="btn btn-ghost btn-sm" disabled={switcher.isPending} onClick={() => switchTo(child.id, child.name)}>
                      Switch <Icon name="arrowRight" />
                    </button>
                  </li>
                ))}
              </ul>
            );
          })()}
        </Card>

        <Card id="quick" title="Quick links">
          <ul className="quick-links">
            {can('member.invite') ? <QuickLink to="/members" icon="users" title="Invite a teammate" text="Send an invitation by email with a role." /> : null}
            {can('api_key.create') ? <QuickLink to="/api-keys" icon="key" title="Create an API key" text="Call the API from scripts and CI." /> : null}
            {can('mail.read') ? <QuickLink to="/mail" icon="mail" title="Open the dev mailbox" text="Invitations and notices sent by the platform." /> : null}
            <QuickLink to="/security" icon="shield" title={me.user?.mfaEnabled ? 'Review your sessions' : 'Turn on two-factor authentication'} text={me.user?.mfaEnabled ? 'Two-factor is on. See where you are logged in.' : 'Protect your account with an authenticator app.'} />
            <li>
              <a className="quick-link" href="/docs" target="_blank" rel="noreferrer">
                <Icon name="book" size={18} />
                <span>
                  <strong>API reference <Icon name="external" size={12} /></strong>
                  <span className="muted">Every route, generated from the schemas.</span>
                </span>
              </a>
            </li>
          </ul>
        </Card>
      </div>

      {can('memory.read') ? <MemoryCard /> : null}

      <Card id="call" title="Call the API" description="Every route takes an API key of this workspace as a bearer token.">
        <div className="code-block">
          <code>{curl}</code>
          <CopyButton text={curl} />
        </div>
      </Card>

      <CreateWorkspaceDialog open={isCreating} onClose={() => setIsCreating(false)} onCreated={(created, shouldSwitch) => {
        setIsCreating(false);
        if (shouldSwitch) switchTo(created.id, created.name);
        else toast.success(`${created.name} created`);
        navigate('/');
      }} />
    </>
  );
}

/** The workspace's long-term memory: where it lives (and whether it answers), how full it is, how recall works. */
function MemoryCard() {
  const quota = useMemoryQuota();
  const space = useMemorySpace();
  const check = useCheckMemorySpace();
  const { can } = useSession();
  const [isChanging, setIsChanging] = useState(false);
  const q = quota.data;
  const s = space.data;
  const isExternal = s?.provider === 'mem0';
  const percent = q ? Math.min(100, Math.round(100 * Math.max(q.workspace.count / q.workspace.maxCount, q.workspace.bytes / q.workspace.maxBytes))) : 0;
  const pending = quota.isPending || space.isPending;
  const failed = quota.isError ? quota : space.isError ? space : null;
  return (
    <Card id="memory" title="Memory" description="What the workspace's agents remember between conversations."
      actions={<>
        <button type="button" className="btn btn-ghost btn-sm" disabled={check.isPending} onClick={() => check.mutate()}>{check.isPending ? 'Checking…' : 'Check now'}</button>
        {can('workspace.update') && s ? <button type="button" className="btn btn-ghost btn-sm" onClick={() => setIsChanging(true)}>Change provider</button> : null}
      </>}>
      {isChanging && s ? <MemoryProviderDialog space={s} onClose={() => setIsChanging(false)} /> : null}
      {pending ? <Loading /> : failed ? <ErrorState error={failed.error} onRetry={() => void failed.refetch()} /> : (
        <div className="stack" data-testid="memory-status">
          <span className="meta-row">
            {s!.status === 'connected' ? <Badge tone="success">Connected</Badge> : <Badge tone="danger">Disconnected</Badge>}
            <span className="muted">
              {isExternal ? <>Mem0 project <code>{s!.projectId}</code> at {s!.baseUrl}</> : <>Built in (this platform's PostgreSQL), project <code>{s!.projectId}</code></>}
              {' · '}checked <RelativeTime iso={s!.checkedAt} />
            </span>
          </span>
          {s!.lastError ? <span className="small" role="alert">{s!.lastError}</span> : null}
          {isExternal ? (
            <span className="small muted">Agents remember and recall through the provider; its quota applies, and its dashboard lists and edits the memories.</span>
          ) : (
            <>
              <span className="small muted">{q!.recall.mode === 'words_and_meaning' ? `Recall by words and meaning (${q!.recall.embeddingModel})` : 'Recall by words'}</span>
              <progress value={percent} max={100} aria-label="Memory quota used" style={{ width: '100%' }} />
              <span className="small muted">
                {n(q!.workspace.count)} of {n(q!.workspace.maxCount)} memories · {(q!.workspace.bytes / 1024).toFixed(1)} KB of {n(q!.workspace.maxBytes / 1024 / 1024)} MB ({q!.plan} plan)
                {q!.recall.pending ? ` · ${n(q!.recall.pending)} waiting for their embedding` : ''}
              </span>
            </>
          )}
        </div>
      )}
    </Card>
  );
}

const n = (v: number) => v.toLocaleString('en-US');

function QuickLink({ to, icon, title, text }: { to: string; icon: IconName; title: string; text: string }) {
  return (
    <li>
      <Link className="quick-link" to={to}>
        <Icon name={icon} size={18} />
        <span>
          <strong>{title}</strong>
          <span className="muted">{text}</span>
        </span>
      </Link>
    </li>
  );
}
