// Routes: public pages (login, signup, invitation) and the logged-in console inside the shell.
import { useEffect } from 'react';
import type { ReactNode } from 'react';
import { useMe, useSessionActions } from './api/auth.ts';
import { ApiError, errorMessage, hasSession, onSessionEnded } from './api/client.ts';
import { SessionProvider } from './auth/session.tsx';
import { Shell } from './components/shell.tsx';
import { Spinner } from './components/states.tsx';
import { Redirect, matchPath, useLocation } from './lib/router.tsx';
import { AdminWorkspacesPage } from './pages/admin-workspaces-page.tsx';
import { AdminDashboardPage } from './pages/admin-dashboard-page.tsx';
import { AdminJobsPage } from './pages/admin-jobs-page.tsx';
import { ImpersonationRequestsPage } from './pages/impersonation-requests-page.tsx';
import { ApiLogsPage } from './pages/api-logs-page.tsx';
import { ApiKeysPage } from './pages/api-keys-page.tsx';
import { AuditPage } from './pages/audit-page.tsx';
import { InvitePage } from './pages/invite-page.tsx';
import { LoginPage } from './pages/login-page.tsx';
import { MailboxPage } from './pages/mailbox-page.tsx';
import { SecretsPage } from './pages/secrets-page.tsx';
import { WebhooksPage } from './pages/webhooks-page.tsx';
import { RolesPage } from './pages/roles-page.tsx';
import { MembersPage } from './pages/members-page.tsx';
import { NotFoundPage } from './pages/not-found-page.tsx';
import { OverviewPage } from './pages/overview-page.tsx';
import { SecurityPage } from './pages/security-page.tsx';
import { SettingsPage } from './pages/settings-page.tsx';
import { SignupPage } from './pages/signup-page.tsx';
import { WorkflowsPage } from './pages/workflows-page.tsx';
import { WorkflowDetailPage } from './pages/workflow-detail-page.tsx';
import { ExecutionDetailPage } from './pages/execution-detail-page.tsx';
import { RequestsPage } from './pages/requests-page.tsx';
import { RequestDetailPage } from './pages/requests-detail-page.tsx';
import { RequestsBoardPage } from './pages/requests-board-page.tsx';
import { TicketsPage } from './pages/tickets-page.tsx';
import { TicketDetailPage } from './pages/tickets-detail-page.tsx';
import { AdminTicketDetailPage, AdminTicketsPage } from './pages/tickets-admin-page.tsx';

type ConsoleRoute = { path: string; title: string; render: () => ReactNode; isAdminOnly?: boolean };

const CONSOLE_ROUTES: ConsoleRoute[] = [
  { path: '/', title: 'Overview', render: () => <OverviewPage /> },
  { path: '/members', title: 'Members', render: () => <MembersPage /> },
  { path: '/api-keys', title: 'API keys', render: () => <ApiKeysPage /> },
  { path: '/roles', title: 'Roles & permissions', render: () => <RolesPage /> },
  { path: '/secrets', title: 'Secrets', render: () => <SecretsPage /> },
  { path: '/workflows', title: 'Workflows', render: () => <WorkflowsPage /> },
  { path: '/workflows/:id', title: 'Workflow', render: () => <WorkflowDetailPage /> },
  { path: '/executions/:id', title: 'Run', render: () => <ExecutionDetailPage /> },
  { path: '/webhooks', title: 'Webhooks', render: () => <WebhooksPage /> },
  { path: '/audit', title: 'Audit trail', render: () => <AuditPage /> },
  { path: '/settings', title: 'Settings', render: () => <SettingsPage /> },
  { path: '/security', title: 'Security', render: () => <SecurityPage /> },
  { path: '/mail', title: 'Dev mailbox', render: () => <MailboxPage /> },
  { path: '/admin/workspaces', title: 'All workspaces', render: () => <AdminWorkspacesPage />, isAdminOnly: true },
  { path: '/admin/dashboard', title: 'Platform dashboard', render: () => <AdminDashboardPage />, isAdminOnly: true },
  { path: '/admin/jobs', title: 'Jobs', render: () => <AdminJobsPage />, isAdminOnly: true },
  { path: '/admin/impersonation', title: 'Impersonation requests', render: () => <ImpersonationRequestsPage />, isAdminOnly: true },
  { path: '/api-logs', title: 'API logs', render: () => <ApiLogsPage /> },
  { path: '/requests', title: 'Requests', render: () => <RequestsPage /> },
  { path: '/requests/:id', title: 'Request', render: () => <RequestDetailPage /> },
  { path: '/tickets', title: 'Support', render: () => <TicketsPage /> },
  { path: '/tickets/:id', title: 'Ticket', render: () => <TicketDetailPage /> },
  { path: '/admin/requests', title: 'Request pipeline', render: () => <RequestsBoardPage />, isAdminOnly: true },
  { path: '/admin/tickets', title: 'Support tickets', render: () => <AdminTicketsPage />, isAdminOnly: true },
  { path: '/admin/tickets/:id', title: 'Support ticket', render: () => <AdminTicketDetailPage />, isAdminOnly: true },
];

export function App() {
  const { pathname, search } = useLocation();
  const actions = useSessionActions();

  useEffect(() => onSessionEnded(() => actions.ended()), [actions]);

  if (pathname === '/login' || pathname === '/signup') {
    const next = safeNext(search.get('next'));
    if (hasSession() && search.get('reason') !== 'ended') return <Redirect to={next} />;
    return pathname === '/login' ? <LoginPage next={next} /> : <SignupPage />;
  }
  const invite = matchPath('/invite/:token', pathname);
  if (invite) return <InvitePage token={invite.token} />;
  return <Authenticated pathname={pathname} />;
}

/** Only same-origin paths are followed after login (no open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function FullPage({ children }: { children: ReactNode }) {
  return <div className="full-page">{children}</div>;
}

function Authenticated({ pathname }: { pathname: string }) {
  const me = useMe();
  const actions = useSessionActions();

  if (!hasSession()) return <Redirect to={pathname === '/' ? '/login' : `/login?next=${encodeURIComponent(pathname)}`} />;
  if (me.isPending) {
    return (
      <FullPage>
        <div className="state state-loading" role="status">
          <Spinner size={20} />
          <span>Loading your workspace…</span>
        </div>
      </FullPage>
    );
  }
  if (me.isError) {
    if (me.error instanceof ApiError && me.error.status === 401) return <Redirect to="/login?reason=ended" />;
    return (
      <FullPage>
        <div className="auth-card" role="alert">
          <h1>Can’t open your workspace</h1>
          <p className="muted">{errorMessage(me.error)}</p>
          <div className="row">
            <button type="button" className="btn btn-primary" onClick={() => void me.refetch()}>
              Try again
            </button>
            <button type="button" className="btn btn-secondary" onClick={() => void actions.logout()}>
              Log out
            </button>
          </div>
        </div>
      </FullPage>
    );
  }

  const route = CONSOLE_ROUTES.find((r) => matchPath(r.path, pathname));
  const isAllowed = route && (!route.isAdminOnly || me.data.user?.isPlatformAdmin);
  return (
    <SessionProvider me={me.data}>
      <Shell title={isAllowed ? route.title : 'Not found'}>{isAllowed ? route.render() : <NotFoundPage />}</Shell>
    </SessionProvider>
  );
}
