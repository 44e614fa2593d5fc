// The workflows module's door: routes, the step-type seam, the execution starter other modules
// use (inbound webhooks), and the execution-finished hook (outbound webhooks).
import type { Tx } from '../../kernel/db/database.ts';
import { executionExists, reportExecutions, reportWorkflows, workflowExists } from './report-workflows.ts';
import * as platformReports from './report-platform.ts';
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { listWorkflows } from './list-workflows.ts';
import { getExecution } from './get-execution.ts';
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { AuditModule } from '../audit/index.ts';
import type { SecretsModule } from '../secrets/index.ts';
import { PRIVATE_NETWORK_SETTING } from '../../kernel/net/public-address.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import { cronTriggerHandler } from './cron-trigger.job.ts';
import type { CronPayload } from './cron-trigger.job.ts';
import { executionHandler } from './run-execution.job.ts';
import type { ExecutePayload } from './run-execution.job.ts';
import { startExecution } from './start-execution.ts';
import type { StartExecutionInput, StartedExecution } from './start-execution.ts';
import { createStepRegistry } from './step-registry.ts';
import { performHttpRequest } from './http-step.ts';
import type { HttpRequestInput, HttpResponse, HttpStepDeps } from './http-step.ts';
import { redact } from './expressions.ts';
import type { ExecutionFinishedListener, WorkflowsContext } from './workflows.context.ts';
import { CRON_QUEUE, EXECUTE_QUEUE } from './workflows.context.ts';
import { workflowsRoutes } from './workflows.routes.ts';
import { BUILD_QUEUE, branchOf, buildHandler, listWorkspaceBuilds, requestBuild } from './builds/builds.ts';
import type { BuildsDeps } from './builds/builds.ts';
import { buildsRoutes } from './builds/builds.routes.ts';
import { createGitRepo } from './builds/git-repo.ts';
import { defineBuildMaintenance, purgeBuildTags, scheduleBuildMaintenance } from './builds/maintenance.job.ts';
import type { StepExecutor } from './workflows.types.ts';

export type { StartExecutionInput, StartedExecution } from './start-execution.ts';
export type { ExecutionFinishedListener } from './workflows.context.ts';
export type {
  ExecutionFinishedEvent, ExecutionStatus, ExecutionTrigger, Scope, StepContext, StepDefinition, StepExecutor, WorkflowDefinition, WorkflowStatus,
} from './workflows.types.ts';
export { StepError } from './workflows.types.ts';
export type { HttpResponse, HttpRequestInput } from './http-step.ts';
export { secretReferences } from './expressions.ts';
export { workflowsErrors } from './workflows.errors.ts';
export { EXECUTE_QUEUE, CRON_QUEUE } from './workflows.context.ts';

export type { ExecutionWindowReport, WorkflowReportItem } from './report-workflows.ts';
export type { WorkflowStatsSort, WorkflowStatsRow, ExecutionErrorRow, ExecutionActivity } from './report-platform.ts';

export function createWorkflowsModule(deps: KernelDeps, modules: { jobs: JobEngine; audit: AuditModule; secrets: SecretsModule; tenancy: TenancyModule }) {
  const { db, log } = deps;
  // http steps share the kernel's outbound guard and its workspace setting with webhooks
  // (network.allow_private_addresses, registered by the composition root).
  const network: HttpStepDeps = {
    async isPrivateNetworkAllowed(workspaceId) {
      const workspace = await db.withWorkspace(workspaceId, (tx) => modules.tenancy.getWorkspace(tx, workspaceId));
      return workspace?.settings[PRIVATE_NETWORK_SETTING.key] === true;
    },
  };
  const steps = createStepRegistry(network);
  const ctx: WorkflowsContext = {
    db, log, currency: deps.config.currency, jobs: modules.jobs, audit: modules.audit, steps,
    resolveSecret: (tx, workspaceId, name) => modules.secrets.resolve(tx, workspaceId, name),
    secretValues: (tx, workspaceId) => modules.secrets.valuesForLeakScan(tx, workspaceId),
    vaultMatches: (workspaceId, files) => modules.secrets.vaultMatches(workspaceId, files),
    finishedListeners: [],
  };
  modules.jobs.define<ExecutePayload>({
    name: EXECUTE_QUEUE, handler: executionHandler(ctx), concurrency: 10, maxAttempts: 5, backoff: { baseMs: 1000, maxMs: 60_000 },
  });
  modules.jobs.define<CronPayload>({ name: CRON_QUEUE, handler: cronTriggerHandler(ctx), concurrency: 2, maxAttempts: 3 });
  // Builds (issue 15): the installation's build repository under the data directory.
  const builds: BuildsDeps = { ctx, repo: createGitRepo(deps.config.builds.repository), remote: deps.config.builds.remote };
  ctx.requestBuild = (tx, audit, input) => requestBuild(builds, tx, audit, input);
  modules.jobs.define<{ buildId: string }>({ name: BUILD_QUEUE, handler: buildHandler(builds), concurrency: 2, maxAttempts: 3 });
  defineBuildMaintenance(modules.jobs, builds.repo, log);

  return {
    routes: (async (app) => {
      await app.register(workflowsRoutes(ctx));
      await app.register(buildsRoutes(builds));
    }) satisfies RoutePlugin,
    /** Run executions of some versions with a compiled module instead of the interpreter (the engine conformance suite). */
    setProgramResolver(resolve: WorkflowsContext['programOf']): void {
      ctx.programOf = resolve;
    },
    /** The build repository (tests, the CLI). */
    buildRepository: builds.repo,
    /**
     * The signup's provisioning step: the workspace's build branch named now (tenant/<slug>), so a
     * slug changed later renames nothing; the git ref is made at its first build. Older workspaces: at their first build.
     */
    async nameBuildBranch(tx: Tx, workspaceId: string): Promise<void> {
      await branchOf(tx, workspaceId);
    },
    /** A workspace's builds, newest first (in the caller's transaction bound to it). */
    listBuilds(tx: Tx, workspaceId: string, limit: number) {
      return listWorkspaceBuilds(tx, workspaceId, limit);
    },
    /** Build tags older than `days` (default 30) deleted: the CLI's `builds purge`, the daily job's work. */
    purgeBuildTags: (options?: { days?: number }) => purgeBuildTags(builds.repo, options),
    /** The daily tag purge and the weekly git gc of the build repository (idempotent; platform path). */
    installSchedules(tx: Tx): Promise<void> {
      return scheduleBuildMaintenance(modules.jobs, tx);
    },
    /** Does this workflow exist in the workspace (webhooks checks an endpoint's target with it)? In the caller's transaction. */
    workflowExists(tx: Tx, workspaceId: string, workflowId: string): Promise<boolean> {
      return workflowExists(tx, workspaceId, workflowId);
    },
    /** Does the workspace have this execution (support checks a ticket's execution with it)? In the caller's transaction. */
    executionExists(tx: Tx, workspaceId: string, executionId: string): Promise<boolean> {
      return executionExists(tx, workspaceId, executionId);
    },
    /** What other modules may read (in the caller's transaction): workflows with deployed version and last run; executions of a window. */
    reports: {
      workflows(tx: Tx, workspaceId: string, limit: number) {
        return reportWorkflows(tx, workspaceId, limit);
      },
      executions(tx: Tx, workspaceId: string, from: Date, to: Date) {
        return reportExecutions(tx, workspaceId, from, to);
      },
      /** Installation-wide (platform path): counts, revenue, hourly buckets, activity, error pages, per-workflow stats. */
      platform: platformReports,
    },
    /** Workflows and executions as the principal (agents' tools): the same reads as the routes. */
    asPrincipal: {
      list: (principal: Principal, query: { search?: string; limit: number }) => listWorkflows(ctx, principal, query),
      execution: (principal: Principal, id: string) => getExecution(ctx, principal, id),
    },
    /**
     * Add a step type (llm, agent, tool…): `executor.schema` is a Type.Object of the step's own
     * fields; definitions naming an unregistered type are refused. Call at start-up.
     */
    registerStepType(type: string, executor: StepExecutor): void {
      steps.register(type, executor);
    },
    /**
     * Start an execution of a workflow of `workspaceId` (its deployed version), e.g. from an
     * inbound webhook: `{ workspaceId, workflowId, input, trigger: 'webhook', actor, idempotencyKey }`.
     * In `tx` (bound to the workspace) when given, so the execution commits with the caller's
     * change; else in its own transaction. Errors: WORKFLOW_NOT_FOUND (404), WORKFLOW_ARCHIVED /
     * WORKFLOW_NOT_DEPLOYED (409), IDEMPOTENCY_KEY_REUSED (422), INPUT_REJECTED (400, `errors`).
     * The same idempotency key on the same workflow returns the first execution (`isNew: false`).
     */
    startExecution(input: StartExecutionInput, tx?: Tx): Promise<StartedExecution> {
      return startExecution(ctx, input, tx);
    },
    /**
     * Called in the transaction that ends an execution as completed (`execution.completed`) or
     * failed / timed out (`execution.failed`); a throw rolls the end back and the job retries.
     */
    onExecutionFinished(listener: ExecutionFinishedListener): void {
      ctx.finishedListeners.push(listener);
    },
    /**
     * One outbound request as the `http` step sends it (agents' HTTP tools): `{{secrets.NAME}}`
     * references filled from the workspace's vault, the workspace's address guard, 1 MB cap; the
     * secrets' values redacted from the response and from any error. Errors: StepError.
     */
    async httpRequest(input: Omit<HttpRequestInput, 'secret'>): Promise<HttpResponse> {
      const used = new Set<string>();
      const secret = async (name: string) => {
        const value = await db.withWorkspace(input.workspaceId, (tx) => modules.secrets.resolve(tx, input.workspaceId, name));
        used.add(value);
        return value;
      };
      try {
        return redact(await performHttpRequest(network, { ...input, secret }), used);
      } catch (err) {
        if (err instanceof Error) err.message = redact(err.message, used);
        throw err;
      }
    },
    /** Step types known to this process, for docs and the console. */
    stepTypes() {
      return steps.list().map((s) => ({ type: s.type, description: s.description }));
    },
  };
}

export type WorkflowsModule = ReturnType<typeof createWorkflowsModule>;
