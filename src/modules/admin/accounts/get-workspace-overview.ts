// GET /admin/workspaces/:id: the whole picture of a client, in one platform transaction — the
// workspace and its members, the account (subscription, notes, metadata), usage over a window
// (executions, success rate, revenue, API errors), workflows with their deployed version and
// last run, requests and tickets by status with the latest, and the latest audit events. Other
// modules' data comes through their report doors (compose.ts), never their tables.
import { moneyFromDecimal } from '../../../kernel/money.ts';
import type { Money } from '../../../kernel/money.ts';
import type { AuditEvent } from '../../audit/index.ts';
import type { RequestsReport } from '../../requests/index.ts';
import type { TicketsReport } from '../../support/index.ts';
import type { WorkflowReportItem } from '../../workflows/index.ts';
import type { AdminContext } from '../admin.context.ts';
import { reportWindow } from '../report-window.ts';
import { loadWorkspaceDetail } from '../get-workspace.ts';
import type { AdminWorkspaceDetail } from '../get-workspace.ts';
import { selectAccount } from './account.store.ts';
import type { StoredAccount, StoredSubscription } from './account.store.ts';

const MAX_WINDOW_DAYS = 366;

export type Account = Omit<StoredAccount, 'subscription'> & {
  subscription: (Omit<StoredSubscription, 'amountMinor' | 'currency'> & { amount: Money }) | null;
};

export type Usage = {
  executions: number; completed: number; failed: number; cancelled: number; running: number;
  successRate: number | null; averageDurationMs: number | null; revenue: Money; cost: Money;
  apiRequests: number; clientErrors: number; serverErrors: number;
};

export type WorkspaceOverview = AdminWorkspaceDetail & {
  account: Account;
  period: { from: string; to: string };
  usage: Usage;
  workflows: WorkflowReportItem[];
  requests: RequestsReport;
  tickets: TicketsReport;
  recentAudit: AuditEvent[];
};

export function toAccount(stored: StoredAccount): Account {
  const s = stored.subscription;
  return {
    ...stored,
    subscription: s ? { amount: { amountMinor: s.amountMinor, currency: s.currency }, period: s.period, status: s.status, startsOn: s.startsOn, endsOn: s.endsOn } : null,
  };
}

export async function getWorkspaceOverview(
  deps: Pick<AdminContext, 'db' | 'tenancy' | 'identity' | 'reports' | 'config'>,
  id: string,
  query: { from?: string; to?: string } = {},
): Promise<WorkspaceOverview> {
  const { from, to } = reportWindow(query, { maxDays: MAX_WINDOW_DAYS });
  const { reports } = deps;
  return deps.db.withPlatform(async (tx) => {
    const detail = await loadWorkspaceDetail(tx, deps, id);
    // Independent reads: sent together on the pipelined connection.
    const [account, executions, traffic, workflows, requests, tickets, recentAudit] = await Promise.all([
      selectAccount(tx, id),
      reports.workflows.executions(tx, id, from, to),
      reports.apiLogs.traffic(tx, id, from, to),
      reports.workflows.workflows(tx, id, 50),
      reports.requests.summarize(tx, id, 5),
      reports.support.summarize(tx, id, 5),
      reports.audit.recentEvents(tx, id, 20),
    ]);
    const currency = deps.config.currency;
    return {
      ...detail,
      account: toAccount(account),
      period: { from: from.toISOString(), to: to.toISOString() },
      usage: {
        executions: executions.executions, completed: executions.completed, failed: executions.failed, cancelled: executions.cancelled, running: executions.running,
        successRate: executions.successRate, averageDurationMs: executions.averageDurationMs,
        revenue: moneyFromDecimal(executions.revenue, currency), cost: moneyFromDecimal(executions.cost, currency),
        apiRequests: traffic.requests, clientErrors: traffic.clientErrors, serverErrors: traffic.serverErrors,
      },
      workflows, requests, tickets, recentAudit,
    };
  });
}
