// The current workspace, and a menu to switch to another membership or create a project/team.
import { useState } from 'react';
import type { CSSProperties } from 'react';
import { useSwitchWorkspace } from '../api/auth.ts';
import { errorMessage } from '../api/client.ts';
import type { MembershipSummary } from '../api/types.ts';
import { useSession } from '../auth/session.tsx';
import { capitalize } from '../lib/format.ts';
import { navigate } from '../lib/router.tsx';
import { CreateWorkspaceDialog } from './create-workspace-dialog.tsx';
import { Icon } from './icons.tsx';
import { Menu, MenuItem, MenuLabel, MenuSeparator } from './menu.tsx';
import { useToast } from './toast.tsx';

type Node = MembershipSummary & { depth: number };

/** Memberships as a tree: organizations, then their projects and teams indented below. */
export function orderMemberships(memberships: MembershipSummary[]): Node[] {
  const ids = new Set(memberships.map((m) => m.workspaceId));
  const children = new Map<string, MembershipSummary[]>();
  const roots: MembershipSummary[] = [];
  for (const m of memberships) {
    if (m.parentId && ids.has(m.parentId)) children.set(m.parentId, [...(children.get(m.parentId) ?? []), m]);
    else roots.push(m);
  }
  const byName = (a: MembershipSummary, b: MembershipSummary) => a.name.localeCompare(b.name);
  const out: Node[] = [];
  const visit = (m: MembershipSummary, depth: number) => {
    out.push({ ...m, depth });
    for (const child of (children.get(m.workspaceId) ?? []).sort(byName)) visit(child, depth + 1);
  };
  for (const root of roots.sort(byName)) visit(root, 0);
  return out;
}

export function WorkspaceAvatar({ name, size = 'md' }: { name: string; size?: 'sm' | 'md' }) {
  // A stable hue per name, so workspaces are told apart at a glance.
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return (
    <span className={`ws-avatar ws-avatar-${size}`} style={{ '--ws-hue': String(hash % 360) } as CSSProperties} aria-hidden="true">
      {(name.trim()[0] ?? '?').toUpperCase()}
    </span>
  );
}

export function WorkspaceSwitcher() {
  const { me, can } = useSession();
  const switcher = useSwitchWorkspace();
  const toast = useToast();
  const [isCreating, setIsCreating] = useState(false);
  const nodes = orderMemberships(me.memberships);

  const switchTo = (workspaceId: string, name: string) => {
    switcher.mutate(workspaceId, {
      onSuccess: () => {
        toast.success(`Switched to ${name}`);
        navigate('/');
      },
      onError: (error) => toast.error(errorMessage(error)),
    });
  };

  return (
    <>
      <Menu
        className="ws-switcher"
        align="start"
        triggerClassName="ws-switcher-trigger"
        triggerLabel={`Current workspace: ${me.workspace.name}. Switch workspace`}
        trigger={
          <>
            <WorkspaceAvatar name={me.workspace.name} />
            <span className="ws-switcher-text">
              <span className="ws-switcher-name" data-testid="current-workspace">{me.workspace.name}</span>
              <span className="ws-switcher-meta">
                {capitalize(me.workspace.kind)} · {capitalize(me.role)}
              </span>
            </span>
            <Icon name="chevrons" />
          </>
        }
      >
        {(close) => (
          <>
            <MenuLabel>Your workspaces</MenuLabel>
            <div className="menu-scroll">
              {nodes.map((m) => {
                const isCurrent = m.workspaceId === me.workspace.id;
                return (
                  <MenuItem
                    key={m.workspaceId}
                    disabled={switcher.isPending}
                    onSelect={() => {
                      close();
                      if (!isCurrent) switchTo(m.workspaceId, m.name);
                    }}
                  >
                    <span className="ws-item" style={{ paddingLeft: `${m.depth * 14}px` }}>
                      <WorkspaceAvatar name={m.name} size="sm" />
                      <span className="ws-item-name">{m.name}</span>
                      <span className="ws-item-role">{m.role}</span>
                      {isCurrent ? <Icon name="check" label="current" /> : <span className="icon-spacer" />}
                    </span>
                  </MenuItem>
                );
              })}
            </div>
            {can('workspace.create_child') ? (
              <>
                <MenuSeparator />
                <MenuItem
                  onSelect={() => {
                    close();
                    setIsCreating(true);
                  }}
                >
                  <Icon name="plus" />
                  <span>Create project or team</span>
                </MenuItem>
              </>
            ) : null}
          </>
        )}
      </Menu>
      <CreateWorkspaceDialog open={isCreating} onClose={() => setIsCreating(false)} onCreated={(ws, shouldSwitch) => {
        setIsCreating(false);
        if (shouldSwitch) switchTo(ws.id, ws.name);
        else toast.success(`${ws.name} created`);
      }} />
    </>
  );
}
