// /workflows and /executions: HTTP only (schema, permission, mapping); the rules are in the
// use-cases. The workspace is the principal's, always.
import { ProblemSchema } from '../../kernel/http/openapi.ts';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from '../audit/index.ts';
import { archiveWorkflow } from './archive-workflow.ts';
import { cancelExecution } from './cancel-execution.ts';
import { createVersion } from './create-version.ts';
import { createWorkflow } from './create-workflow.ts';
import { deployWorkflow } from './deploy-workflow.ts';
import { getExecution } from './get-execution.ts';
import { getWorkflow, getWorkflowStats } from './get-workflow.ts';
import { listExecutions } from './list-executions.ts';
import { listVersions } from './list-versions.ts';
import { listWorkflows } from './list-workflows.ts';
import { retryExecution } from './retry-execution.ts';
import { startExecution } from './start-execution.ts';
import { updateWorkflow } from './update-workflow.ts';
import type { WorkflowsContext } from './workflows.context.ts';
import {
  CreateVersionBody, CreateWorkflowBody, DeployBody, ExecuteBody, ExecuteHeaders, ExecuteResponse, ExecutionDetailSchema, ExecutionListQuery,
  ExecutionSchema, IdParams, Page, StatsSchema, UpdateWorkflowBody, VersionListQuery, VersionPage, VersionSchema, WorkflowDetailSchema, WorkflowListItemSchema,
  WorkflowListQuery, WorkspaceExecutionListQuery,
} from './workflows.schema.ts';
import type { WorkflowDefinition } from './workflows.types.ts';

const tags = ['workflows'];
/** POSTs whose body is all optional may come without one. */
const bodyMayBeEmpty = async (request: { body: unknown }) => {
  if (request.body === undefined || request.body === null) request.body = {};
};
const executionTags = ['executions'];

export function workflowsRoutes(ctx: WorkflowsContext): RoutePlugin {
  return async (app) => {
    app.post('/workflows', {
      config: { permission: 'workflow.create' },
      schema: { tags, summary: 'Create a workflow (status draft) with its first version', body: CreateWorkflowBody, response: { 201: WorkflowDetailSchema } },
    }, async (request, reply) => {
      const body = request.body;
      const created = await createWorkflow(ctx, request.principal!, auditContextOf(request), { ...body, definition: body.definition as WorkflowDefinition | undefined });
      return reply.code(201).send(created);
    });

    app.get('/workflows', {
      config: { permission: 'workflow.read' },
      schema: {
        tags, summary: 'Workflows of the workspace, newest first, with their last execution and success rate (archived ones only when asked)',
        querystring: WorkflowListQuery, response: { 200: Page(WorkflowListItemSchema) },
      },
    }, async (request) => listWorkflows(ctx, request.principal!, request.query));

    app.get('/workflows/:id', {
      config: { permission: 'workflow.read' },
      schema: { tags, summary: 'A workflow with its current definition, stats and recent executions', params: IdParams, response: { 200: WorkflowDetailSchema } },
    }, async (request) => getWorkflow(ctx, request.principal!, request.params.id));

    app.patch('/workflows/:id', {
      config: { permission: 'workflow.update' },
      schema: {
        tags, summary: 'Change a workflow\'s name, description, input schema, prices, timeout or schedule (steps change through a new version)',
        params: IdParams, body: UpdateWorkflowBody, response: { 200: WorkflowDetailSchema },
      },
    }, async (request) => updateWorkflow(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.delete('/workflows/:id', {
      config: { permission: 'workflow.delete' },
      schema: { tags, summary: 'Archive a workflow: no new executions, its schedule removed, its history kept', params: IdParams, response: { 200: WorkflowDetailSchema } },
    }, async (request) => archiveWorkflow(ctx, request.principal!, auditContextOf(request), request.params.id));

    app.get('/workflows/:id/versions', {
      config: { permission: 'workflow.read' },
      schema: { tags, summary: 'Versions of a workflow, newest first', params: IdParams, querystring: VersionListQuery, response: { 200: VersionPage } },
    }, async (request) => listVersions(ctx, request.principal!, request.params.id, request.query));

    app.post('/workflows/:id/versions', {
      config: { permission: 'workflow.update' },
      schema: { tags, summary: 'A new immutable version from a definition; it becomes the current draft', params: IdParams, body: CreateVersionBody, response: { 201: VersionSchema } },
    }, async (request, reply) => {
      const version = await createVersion(ctx, request.principal!, auditContextOf(request), request.params.id, { definition: request.body.definition as WorkflowDefinition, note: request.body.note });
      return reply.code(201).send(version);
    });

    app.post('/workflows/:id/deploy', {
      config: { permission: 'workflow.deploy' },
      preValidation: bodyMayBeEmpty,
      schema: { tags, summary: 'Deploy a version (default: the current draft) for new executions; schedules the cron trigger', params: IdParams, body: DeployBody, response: { 200: WorkflowDetailSchema } },
    }, async (request) => deployWorkflow(ctx, request.principal!, auditContextOf(request), request.params.id, request.body));

    app.post('/workflows/:id/execute', {
      config: { permission: 'workflow.execute' },
      preValidation: bodyMayBeEmpty,
      schema: {
        tags, summary: 'Start an execution; answers at once with its id (poll GET /executions/:id)',
        description: 'Honours `Idempotency-Key`: the same key on the same workflow gives the same execution (header `Idempotent-Replayed: true`); the same key with another input is a 422.',
        params: IdParams, headers: ExecuteHeaders, body: ExecuteBody, response: { 202: ExecuteResponse, 422: { ...ProblemSchema, description: 'IDEMPOTENCY_KEY_REUSED: the key came with another input' } },
      },
    }, async (request, reply) => {
      const audit = auditContextOf(request);
      const started = await startExecution(ctx, {
        workspaceId: request.principal!.workspaceId, workflowId: request.params.id, input: request.body.input ?? {}, versionId: request.body.versionId,
        trigger: 'api', actor: audit.actor, idempotencyKey: request.headers['idempotency-key'] ?? null, audit,
      });
      if (!started.isNew) reply.header('idempotent-replayed', 'true');
      return reply.code(202).send({ executionId: started.executionId, status: started.status });
    });

    app.get('/workflows/:id/executions', {
      config: { permission: 'workflow.read' },
      schema: { tags, summary: 'Executions of a workflow, newest first', params: IdParams, querystring: ExecutionListQuery, response: { 200: Page(ExecutionSchema) } },
    }, async (request) => listExecutions(ctx, request.principal!, { ...request.query, workflowId: request.params.id }, { requireWorkflow: true }));

    app.get('/workflows/:id/stats', {
      config: { permission: 'workflow.read' },
      schema: { tags, summary: 'Totals, success rate, average duration and this month\'s revenue of a workflow', params: IdParams, response: { 200: StatsSchema } },
    }, async (request) => getWorkflowStats(ctx, request.principal!, request.params.id));

    app.get('/executions', {
      config: { permission: 'workflow.read' },
      schema: { tags: executionTags, summary: 'Executions of the workspace, newest first', querystring: WorkspaceExecutionListQuery, response: { 200: Page(ExecutionSchema) } },
    }, async (request) => listExecutions(ctx, request.principal!, request.query));

    app.get('/executions/:id', {
      config: { permission: 'workflow.read' },
      schema: { tags: executionTags, summary: 'An execution: status, progress, output, error and its step timeline', params: IdParams, response: { 200: ExecutionDetailSchema } },
    }, async (request) => getExecution(ctx, request.principal!, request.params.id));

    app.post('/executions/:id/cancel', {
      config: { permission: 'workflow.execute' },
      schema: { tags: executionTags, summary: 'Cancel a pending or processing execution (a running step is aborted)', params: IdParams, response: { 200: ExecutionSchema } },
    }, async (request) => cancelExecution(ctx, request.principal!, auditContextOf(request), request.params.id));

    app.post('/executions/:id/retry', {
      config: { permission: 'workflow.execute' },
      schema: { tags: executionTags, summary: 'Run a failed, timed-out or cancelled execution again from the step that did not complete', params: IdParams, response: { 202: ExecutionSchema } },
    }, async (request, reply) => reply.code(202).send(await retryExecution(ctx, request.principal!, auditContextOf(request), request.params.id)));
  };
}
