// The logged-in layout: sidebar (workspace switcher, navigation), top bar (user menu), content.
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { useSession } from '../auth/session.tsx';
import type { Permission } from '../api/types.ts';
import { Link, NavLink } from '../lib/router.tsx';
import { Icon } from './icons.tsx';
import { ImpersonationBanner } from './impersonation-banner.tsx';
import type { IconName } from './icons.tsx';
import { UserMenu } from './user-menu.tsx';
import { AssistantDrawer } from './assistant-drawer.tsx';
import { WorkspaceSwitcher } from './workspace-switcher.tsx';

type NavItem = { to: string; label: string; icon: IconName; permission?: Permission; exact?: boolean };

const WORKSPACE_NAV: NavItem[] = [
  { to: '/', label: 'Overview', icon: 'home', exact: true },
  { to: '/members', label: 'Members', icon: 'users', permission: 'member.read' },
  { to: '/roles', label: 'Roles & permissions', icon: 'shield', permission: 'role.read' },
  { to: '/api-keys', label: 'API keys', icon: 'key', permission: 'api_key.read' },
  { to: '/secrets', label: 'Secrets', icon: 'shield', permission: 'secret.read' },
  { to: '/workflows', label: 'Workflows', icon: 'refresh', permission: 'workflow.read' },
  { to: '/data', label: 'Data', icon: 'layers', permission: 'data.read' },
  { to: '/webhooks', label: 'Webhooks', icon: 'external', permission: 'webhook.read' },
  { to: '/requests', label: 'Requests', icon: 'layers', permission: 'request.read' },
  { to: '/tickets', label: 'Support', icon: 'inbox', permission: 'ticket.read' },
  { to: '/audit', label: 'Audit trail', icon: 'layers', permission: 'audit.read' },
  { to: '/settings', label: 'Settings', icon: 'settings', permission: 'workspace.read' },
];

const ADMIN_NAV: NavItem[] = [
  { to: '/admin/dashboard', label: 'Dashboard', icon: 'home' },
  { to: '/admin/workspaces', label: 'Workspaces', icon: 'building' },
  { to: '/admin/analytics', label: 'AI analytics', icon: 'home' },
  { to: '/admin/models', label: 'Models and prices', icon: 'layers' },
  { to: '/admin/tickets', label: 'Support tickets', icon: 'inbox' },
  { to: '/admin/requests', label: 'Request pipeline', icon: 'layers' },
  { to: '/admin/jobs', label: 'Jobs', icon: 'refresh' },
  { to: '/admin/data', label: 'Data API', icon: 'layers' },
  { to: '/admin/impersonation', label: 'Impersonation requests', icon: 'user' },
];

const AI_NAV: NavItem[] = [
  { to: '/ai/agents', label: 'Agents', icon: 'user', permission: 'agent.read' },
  { to: '/ai/providers', label: 'Model providers', icon: 'layers', permission: 'llm.read' },
  { to: '/ai/playground', label: 'Playground', icon: 'search', permission: 'llm.use' },
  { to: '/ai/usage', label: 'Usage & budgets', icon: 'alert', permission: 'usage.read' },
  { to: '/ai/analytics', label: 'Analytics', icon: 'home', permission: 'usage.read' },
];

const ACCOUNT_NAV: NavItem[] = [{ to: '/security', label: 'Security', icon: 'shield' }];
const DEVELOPER_NAV: NavItem[] = [
  { to: '/api-logs', label: 'API logs', icon: 'refresh', permission: 'api_log.read' },
  { to: '/mail', label: 'Dev mailbox', icon: 'mail', permission: 'mail.read' },
];

function NavSection({ title, items }: { title: string; items: NavItem[] }) {
  const { can } = useSession();
  const visible = items.filter((item) => !item.permission || can(item.permission));
  if (visible.length === 0) return null;
  return (
    <div className="nav-section">
      <p className="nav-title">{title}</p>
      <ul>
        {visible.map((item) => (
          <li key={item.to}>
            <NavLink to={item.to} exact={item.exact} className="nav-link">
              <Icon name={item.icon} />
              <span>{item.label}</span>
            </NavLink>
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Shell({ title, children }: { title: string; children: ReactNode }) {
  const { me } = useSession();
  useEffect(() => {
    document.title = `${title} · ${me.workspace.name} · Atrium`;
  }, [title, me.workspace.name]);

  return (
    <div className="app">
      <a href="#main" className="skip-link">Skip to content</a>
      <aside className="sidebar">
        <Link to="/" className="brand" aria-label="Atrium home">
          <span className="brand-mark" aria-hidden="true">A</span>
          <span>Atrium</span>
        </Link>
        <WorkspaceSwitcher />
        <nav aria-label="Main" className="nav">
          {/* First for an operator: the whole admin section is reachable without scrolling on a laptop (1366×768). */}
          {me.user?.isPlatformAdmin ? <NavSection title="Platform admin" items={ADMIN_NAV} /> : null}
          <NavSection title="Workspace" items={WORKSPACE_NAV} />
          <NavSection title="AI" items={AI_NAV} />
          <NavSection title="Account" items={ACCOUNT_NAV} />
          <NavSection title="Developers" items={DEVELOPER_NAV} />
          <div className="nav-section">
            <ul>
              <li>
                <a href="/docs" target="_blank" rel="noreferrer" className="nav-link">
                  <Icon name="book" />
                  <span>API reference</span>
                  <Icon name="external" size={13} />
                </a>
              </li>
            </ul>
          </div>
        </nav>
      </aside>
      <div className="main">
        <ImpersonationBanner />
        <header className="topbar">
          <nav aria-label="Breadcrumb" className="breadcrumb">
            <span>{me.workspace.name}</span>
            <span aria-hidden="true" className="breadcrumb-sep">/</span>
            <span aria-current="page">{title}</span>
          </nav>
          <AssistantDrawer />
          <UserMenu />
        </header>
        <main id="main" className="content" tabIndex={-1}>
          {children}
        </main>
      </div>
    </div>
  );
}
