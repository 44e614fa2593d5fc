import { defineErrors } from '../../kernel/errors.ts';

export const jobsErrors = defineErrors({
  JOB_NOT_FOUND: { status: 404, title: 'Job not found' },
  JOB_NOT_DEAD: { status: 409, title: 'Only a dead letter can be retried' },
});
