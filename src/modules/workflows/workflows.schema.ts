// API schemas (TypeBox): validation, types and the OpenAPI document.
import { Type } from '@fastify/type-provider-typebox';
import { MoneySchema } from '../../kernel/money.ts';
import { STEP_ID_PATTERN } from './step-registry.ts';

const DateTime = Type.String({ format: 'date-time' });
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Uuid = Type.String({ format: 'uuid' });
const Price = Type.String({ pattern: '^\\d{1,10}(\\.\\d{1,4})?$', description: 'Price per execution, a decimal amount of the installation currency (ATRIUM_CURRENCY) with up to 4 decimals (sub-cent prices), e.g. `0.0025`' });
const Json = Type.Unknown();

export const WorkflowStatusSchema = Type.Union([Type.Literal('draft'), Type.Literal('deployed'), Type.Literal('archived')]);
export const ExecutionStatusSchema = Type.Union([
  Type.Literal('pending'), Type.Literal('processing'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('cancelled'), Type.Literal('timed_out'),
]);
export const TriggerSchema = Type.Union([Type.Literal('api'), Type.Literal('cron'), Type.Literal('webhook')]);

export const StepSchema = Type.Object({
  id: Type.String({ pattern: STEP_ID_PATTERN }),
  type: Type.String({ minLength: 1, maxLength: 64 }),
}, { additionalProperties: true, description: 'A step: common fields id, type, name, input, retry, plus its type\'s own (see the README of the workflows module)' });

export const DefinitionSchema = Type.Object({
  steps: Type.Array(StepSchema, { maxItems: 200 }),
  output: Type.Optional(Type.String({ maxLength: 10_000, description: 'JSONata over {input, steps}; default: the last step\'s output' })),
}, { additionalProperties: false });

export const ScheduleSchema = Type.Object({
  cron: Type.String({ minLength: 9, maxLength: 100, description: 'Five or six fields, e.g. `0 9 * * 1-5`' }),
  timezone: Type.Optional(Type.String({ maxLength: 64, description: 'IANA time zone (default UTC)' })),
  input: Type.Optional(Type.Record(Type.String(), Json)),
}, { additionalProperties: false });

const InputSchemaField = Nullable(Type.Record(Type.String(), Json, { description: 'JSON schema of the execution input' }));

const WorkflowFields = {
  id: Uuid,
  name: Type.String(),
  description: Type.String(),
  status: WorkflowStatusSchema,
  inputSchema: InputSchemaField,
  costPerExecution: Type.String(),
  revenuePerExecution: Type.String(),
  timeoutMs: Type.Integer(),
  schedule: Nullable(ScheduleSchema),
  currentVersionId: Nullable(Uuid),
  currentVersion: Nullable(Type.Integer()),
  deployedVersionId: Nullable(Uuid),
  deployedVersion: Nullable(Type.Integer()),
  createdBy: Nullable(Uuid),
  updatedBy: Nullable(Uuid),
  createdAt: DateTime,
  updatedAt: DateTime,
  deployedAt: Nullable(DateTime),
  archivedAt: Nullable(DateTime),
};

export const StatsSchema = Type.Object({
  total: Type.Integer(),
  succeeded: Type.Integer(),
  failed: Type.Integer({ description: 'Failed and timed out' }),
  cancelled: Type.Integer(),
  running: Type.Integer({ description: 'Pending and processing' }),
  successRate: Nullable(Type.Number({ description: 'succeeded / (succeeded + failed), 0..1' })),
  averageDurationMs: Nullable(Type.Integer({ description: 'Of completed executions' })),
  revenueThisMonth: { ...MoneySchema, description: 'Sum over executions completed this month (UTC)' },
  costThisMonth: MoneySchema,
  executionsThisMonth: Type.Integer(),
});

const ErrorSchema = Type.Object({
  message: Type.String(),
  code: Type.String(),
  stepId: Type.Optional(Nullable(Type.String())),
  stack: Type.Optional(Type.String({ description: 'Platform admins only, with paths relative to the project' })),
});

const ActorSchema = Nullable(Type.Object({ type: Type.String(), id: Nullable(Type.String()), realActorId: Type.Optional(Nullable(Type.String())) }));

export const ExecutionSchema = Type.Object({
  id: Uuid,
  workflowId: Uuid,
  workflowName: Type.String(),
  versionId: Uuid,
  version: Type.Integer(),
  status: ExecutionStatusSchema,
  trigger: TriggerSchema,
  input: Json,
  output: Json,
  error: Nullable(ErrorSchema),
  progress: Type.Object({ stepsDone: Type.Integer(), stepsTotal: Type.Integer(), currentStep: Nullable(Type.String()), percent: Type.Integer() }),
  idempotencyKey: Nullable(Type.String()),
  actor: ActorSchema,
  cost: Nullable(Type.String()),
  revenue: Nullable(Type.String()),
  createdAt: DateTime,
  startedAt: Nullable(DateTime),
  finishedAt: Nullable(DateTime),
  durationMs: Nullable(Type.Integer()),
});

export const StepRunSchema = Type.Object({
  id: Uuid,
  stepId: Type.String(),
  stepType: Type.String(),
  attempt: Type.Integer(),
  status: Type.Union([Type.Literal('running'), Type.Literal('waiting'), Type.Literal('completed'), Type.Literal('failed'), Type.Literal('skipped')]),
  output: Json,
  outputSize: Nullable(Type.Integer()),
  outputTruncated: Type.Boolean({ description: 'Output over 64 KB: `output` is the start of its JSON text' }),
  error: Nullable(ErrorSchema),
  wakeAt: Nullable(DateTime),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
  durationMs: Nullable(Type.Integer()),
});

export const ExecutionDetailSchema = Type.Object({ ...ExecutionSchema.properties, steps: Type.Array(StepRunSchema) });

export const WorkflowSchema = Type.Object(WorkflowFields);
export const WorkflowListItemSchema = Type.Object({
  ...WorkflowFields,
  lastExecution: Nullable(Type.Object({ id: Uuid, status: ExecutionStatusSchema, createdAt: DateTime })),
  executionCount: Type.Integer(),
  successRate: Nullable(Type.Number()),
});
export const WorkflowDetailSchema = Type.Object({
  ...WorkflowFields,
  definition: DefinitionSchema,
  stats: StatsSchema,
  recentExecutions: Type.Array(ExecutionSchema),
});

export const VersionSchema = Type.Object({
  id: Uuid,
  workflowId: Uuid,
  version: Type.Integer(),
  definition: DefinitionSchema,
  note: Type.String(),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
});

export const CreateWorkflowBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  definition: Type.Optional(DefinitionSchema),
  inputSchema: Type.Optional(InputSchemaField),
  costPerExecution: Type.Optional(Price),
  revenuePerExecution: Type.Optional(Price),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 86_400_000, description: 'Execution timeout (default 15 minutes)' })),
  schedule: Type.Optional(Nullable(ScheduleSchema)),
}, { additionalProperties: false });

export const UpdateWorkflowBody = Type.Object({
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  inputSchema: Type.Optional(InputSchemaField),
  costPerExecution: Type.Optional(Price),
  revenuePerExecution: Type.Optional(Price),
  timeoutMs: Type.Optional(Type.Integer({ minimum: 1000, maximum: 86_400_000 })),
  schedule: Type.Optional(Nullable(ScheduleSchema)),
}, { additionalProperties: false, minProperties: 1 });

export const CreateVersionBody = Type.Object({
  definition: DefinitionSchema,
  note: Type.Optional(Type.String({ maxLength: 500 })),
}, { additionalProperties: false });

export const DeployBody = Type.Object({
  versionId: Type.Optional(Type.String({ format: 'uuid', description: 'Default: the current draft' })),
}, { additionalProperties: false });

export const ExecuteBody = Type.Object({
  input: Type.Optional(Type.Record(Type.String(), Json, { description: 'Checked against the workflow\'s input schema' })),
  versionId: Type.Optional(Type.String({ format: 'uuid', description: 'Run this version instead of the deployed one (test run of a draft)' })),
}, { additionalProperties: false });

export const ExecuteHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'Same key and workflow: the same execution, never a second one' })),
});

export const ExecuteResponse = Type.Object({ executionId: Uuid, status: ExecutionStatusSchema });

export const IdParams = Type.Object({ id: Uuid });

export const WorkflowListQuery = Type.Object({
  status: Type.Optional(WorkflowStatusSchema),
  search: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
  includeArchived: Type.Optional(Type.Boolean({ default: false })),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid' })),
}, { additionalProperties: false });

export const ExecutionListQuery = Type.Object({
  status: Type.Optional(ExecutionStatusSchema),
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.String({ format: 'uuid', description: 'nextCursor of the previous page' })),
}, { additionalProperties: false });

export const WorkspaceExecutionListQuery = Type.Object({
  ...ExecutionListQuery.properties,
  workflowId: Type.Optional(Type.String({ format: 'uuid' })),
}, { additionalProperties: false });

export const VersionListQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
  cursor: Type.Optional(Type.Integer({ minimum: 1, maximum: 2_147_483_647, description: 'nextCursor of the previous page (a version number)' })),
}, { additionalProperties: false });

export const Page = <T extends Parameters<typeof Type.Array>[0]>(item: T) => Type.Object({ data: Type.Array(item), nextCursor: Nullable(Type.String()) });
export const VersionPage = Type.Object({ data: Type.Array(VersionSchema), nextCursor: Nullable(Type.Integer()) });
