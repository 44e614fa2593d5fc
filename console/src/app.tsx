// Routes: public pages (login, signup, invitation) and the logged-in console inside the shell.
import { Suspense, lazy, useEffect } from 'react';
import type { ReactNode } from 'react';
import { useMe, useSessionActions } from './api/auth.ts';
import { ApiError, errorMessage, hasSession, onSessionEnded } from './api/client.ts';
import { SessionProvider } from './auth/session.tsx';
import { Shell } from './components/shell.tsx';
import { Spinner } from './components/states.tsx';
import { Redirect, matchPath, useLocation } from './lib/router.tsx';

// Each page is its own chunk, loaded when first opened (no chunk over Vite's 500 kB warning).
const AdminWorkspacesPage = lazy(() => import('./pages/admin/admin-workspaces-page.tsx').then((m) => ({ default: m.AdminWorkspacesPage })));
const AdminDashboardPage = lazy(() => import('./pages/admin/admin-dashboard-page.tsx').then((m) => ({ default: m.AdminDashboardPage })));
const AdminJobsPage = lazy(() => import('./pages/admin/admin-jobs-page.tsx').then((m) => ({ default: m.AdminJobsPage })));
const ImpersonationRequestsPage = lazy(() => import('./pages/identity/impersonation-requests-page.tsx').then((m) => ({ default: m.ImpersonationRequestsPage })));
const ApiLogsPage = lazy(() => import('./pages/apilogs/api-logs-page.tsx').then((m) => ({ default: m.ApiLogsPage })));
const ApiKeysPage = lazy(() => import('./pages/identity/api-keys-page.tsx').then((m) => ({ default: m.ApiKeysPage })));
const AuditPage = lazy(() => import('./pages/audit/audit-page.tsx').then((m) => ({ default: m.AuditPage })));
const InvitePage = lazy(() => import('./pages/identity/invite-page.tsx').then((m) => ({ default: m.InvitePage })));
const LoginPage = lazy(() => import('./pages/identity/login-page.tsx').then((m) => ({ default: m.LoginPage })));
const MailboxPage = lazy(() => import('./pages/mail/mailbox-page.tsx').then((m) => ({ default: m.MailboxPage })));
const SecretsPage = lazy(() => import('./pages/secrets/secrets-page.tsx').then((m) => ({ default: m.SecretsPage })));
const WebhooksPage = lazy(() => import('./pages/webhooks/webhooks-page.tsx').then((m) => ({ default: m.WebhooksPage })));
const RolesPage = lazy(() => import('./pages/access/roles-page.tsx').then((m) => ({ default: m.RolesPage })));
const MembersPage = lazy(() => import('./pages/identity/members-page.tsx').then((m) => ({ default: m.MembersPage })));
const NotFoundPage = lazy(() => import('./pages/not-found-page.tsx').then((m) => ({ default: m.NotFoundPage })));
const OverviewPage = lazy(() => import('./pages/tenancy/overview-page.tsx').then((m) => ({ default: m.OverviewPage })));
const SecurityPage = lazy(() => import('./pages/identity/security-page.tsx').then((m) => ({ default: m.SecurityPage })));
const SettingsPage = lazy(() => import('./pages/tenancy/settings-page.tsx').then((m) => ({ default: m.SettingsPage })));
const SignupPage = lazy(() => import('./pages/identity/signup-page.tsx').then((m) => ({ default: m.SignupPage })));
const WorkflowsPage = lazy(() => import('./pages/workflows/workflows-page.tsx').then((m) => ({ default: m.WorkflowsPage })));
const WorkflowDetailPage = lazy(() => import('./pages/workflows/workflow-detail-page.tsx').then((m) => ({ default: m.WorkflowDetailPage })));
const ExecutionDetailPage = lazy(() => import('./pages/workflows/execution-detail-page.tsx').then((m) => ({ default: m.ExecutionDetailPage })));
const RequestsPage = lazy(() => import('./pages/requests/requests-page.tsx').then((m) => ({ default: m.RequestsPage })));
const RequestDetailPage = lazy(() => import('./pages/requests/requests-detail-page.tsx').then((m) => ({ default: m.RequestDetailPage })));
const RequestsBoardPage = lazy(() => import('./pages/requests/requests-board-page.tsx').then((m) => ({ default: m.RequestsBoardPage })));
const TicketsPage = lazy(() => import('./pages/support/tickets-page.tsx').then((m) => ({ default: m.TicketsPage })));
const TicketDetailPage = lazy(() => import('./pages/support/tickets-detail-page.tsx').then((m) => ({ default: m.TicketDetailPage })));
const AdminTicketDetailPage = lazy(() => import('./pages/support/tickets-admin-page.tsx').then((m) => ({ default: m.AdminTicketDetailPage })));
const AdminTicketsPage = lazy(() => import('./pages/support/tickets-admin-page.tsx').then((m) => ({ default: m.AdminTicketsPage })));
const ProvidersPage = lazy(() => import('./pages/llm/providers-page.tsx').then((m) => ({ default: m.ProvidersPage })));
const PlaygroundPage = lazy(() => import('./pages/llm/playground-page.tsx').then((m) => ({ default: m.PlaygroundPage })));
const UsagePage = lazy(() => import('./pages/usage/usage-page.tsx').then((m) => ({ default: m.UsagePage })));
const AnalyticsPage = lazy(() => import('./pages/usage/analytics-page.tsx').then((m) => ({ default: m.AnalyticsPage })));
const AgentsPage = lazy(() => import('./pages/agents/agents-page.tsx').then((m) => ({ default: m.AgentsPage })));
const AgentPage = lazy(() => import('./pages/agents/agent-page.tsx').then((m) => ({ default: m.AgentPage })));
const AdminModelsPage = lazy(() => import('./pages/admin/admin-models-page.tsx').then((m) => ({ default: m.AdminModelsPage })));
const PlatformAnalyticsPage = lazy(() => import('./pages/usage/analytics-page.tsx').then((m) => ({ default: m.PlatformAnalyticsPage })));
const AdminDataPage = lazy(() => import('./pages/admin/admin-data-page.tsx').then((m) => ({ default: m.AdminDataPage })));
const DataPage = lazy(() => import('./pages/data/data-page.tsx').then((m) => ({ default: m.DataPage })));
const AdminWorkspaceDetailPage = lazy(() => import('./pages/admin/admin-workspace-detail-page.tsx').then((m) => ({ default: m.AdminWorkspaceDetailPage })));

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
  { path: '/data', title: 'Data', render: () => <DataPage /> },
  { path: '/ai/providers', title: 'Model providers', render: () => <ProvidersPage /> },
  { path: '/ai/playground', title: 'Playground', render: () => <PlaygroundPage /> },
  { path: '/ai/usage', title: 'Usage & budgets', render: () => <UsagePage /> },
  { path: '/ai/analytics', title: 'Analytics', render: () => <AnalyticsPage /> },
  { path: '/ai/agents', title: 'Agents', render: () => <AgentsPage /> },
  { path: '/ai/agents/:id', title: 'Agent', render: () => <AgentPage /> },
  { path: '/audit', title: 'Audit trail', render: () => <AuditPage /> },
  { path: '/settings', title: 'Settings', render: () => <SettingsPage /> },
  { path: '/security', title: 'Security', render: () => <SecurityPage /> },
  { path: '/mail', title: 'Dev mailbox', render: () => <MailboxPage /> },
  { path: '/admin/workspaces', title: 'All workspaces', render: () => <AdminWorkspacesPage />, isAdminOnly: true },
  { path: '/admin/workspaces/:id', title: 'Workspace', render: () => <AdminWorkspaceDetailPage />, isAdminOnly: true },
  { path: '/admin/dashboard', title: 'Platform dashboard', render: () => <AdminDashboardPage />, isAdminOnly: true },
  { path: '/admin/analytics', title: 'AI analytics', render: () => <PlatformAnalyticsPage />, isAdminOnly: true },
  { path: '/admin/models', title: 'Models and prices', render: () => <AdminModelsPage />, isAdminOnly: true },
  { path: '/admin/jobs', title: 'Jobs', render: () => <AdminJobsPage />, isAdminOnly: true },
  { path: '/admin/data', title: 'Data API', render: () => <AdminDataPage />, isAdminOnly: true },
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
    return <Suspense fallback={<PageLoading />}>{pathname === '/login' ? <LoginPage next={next} /> : <SignupPage />}</Suspense>;
  }
  const invite = matchPath('/invite/:token', pathname);
  if (invite) return <Suspense fallback={<PageLoading />}><InvitePage token={invite.token} /></Suspense>;
  return <Authenticated pathname={pathname} />;
}

/** Only same-origin paths are followed after login (no open redirect). */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function PageLoading() {
  return <div className="state state-loading" role="status"><Spinner size={20} /><span>Loading…</span></div>;
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
      <Shell title={isAllowed ? route.title : 'Not found'}>
        <Suspense fallback={<PageLoading />}>
          {isAllowed ? route.render() : <NotFoundPage />}
        </Suspense>
      </Shell>
    </SessionProvider>
  );
}
