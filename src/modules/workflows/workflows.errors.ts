import { defineErrors } from '../../kernel/errors.ts';

export const workflowsErrors = defineErrors({
  WORKFLOW_NOT_FOUND: { status: 404, title: 'Workflow not found' },
  VERSION_NOT_FOUND: { status: 404, title: 'Workflow version not found' },
  EXECUTION_NOT_FOUND: { status: 404, title: 'Execution not found' },
  INVALID_DEFINITION: { status: 400, title: 'The workflow definition is not valid' },
  INVALID_INPUT_SCHEMA: { status: 400, title: 'The input schema is not a valid JSON schema' },
  INVALID_SCHEDULE: { status: 400, title: 'The schedule is not valid' },
  INPUT_REJECTED: { status: 400, title: 'The input does not match the workflow\'s input schema' },
  WORKFLOW_ARCHIVED: { status: 409, title: 'The workflow is archived' },
  WORKFLOW_NOT_DEPLOYED: { status: 409, title: 'The workflow has no deployed version' },
  EXECUTION_FINISHED: { status: 409, title: 'The execution has already finished' },
  EXECUTION_NOT_RETRYABLE: { status: 409, title: 'Only a failed or timed-out execution can be retried' },
  BUILD_NOT_FOUND: { status: 404, title: 'Build not found' },
  BUILD_NOT_READY: { status: 409, title: 'The build has not succeeded (yet)' },
  // 100 builds per workspace per rolling 24 hours; Retry-After says when the next is allowed.
  BUILD_QUOTA_EXCEEDED: { status: 429, title: 'The workspace has used its builds for the last 24 hours' },
});
