import { defineErrors } from '../../kernel/errors.ts';

export const requestsErrors = defineErrors({
  REQUEST_NOT_FOUND: { status: 404, title: 'Workflow request not found' },
  REQUEST_TRANSITION_INVALID: { status: 409, title: 'This status change is not allowed' },
  REQUEST_STATUS_CHANGED: { status: 409, title: 'The request moved since you loaded it' },
  REQUEST_NOT_EDITABLE: { status: 409, title: 'The request can no longer be edited' },
  REQUEST_NOT_WITHDRAWABLE: { status: 409, title: 'The request can no longer be withdrawn' },
  REQUEST_CLOSED: { status: 409, title: 'The request is closed' },
});
