import { defineErrors } from '../../kernel/errors.ts';

export const supportErrors = defineErrors({
  TICKET_NOT_FOUND: { status: 404, title: 'Ticket not found' },
  // The execution named on a new ticket is not one of the workspace's (or does not exist).
  TICKET_EXECUTION_NOT_FOUND: { status: 404, title: 'Workflow execution not found' },
  TICKET_CLOSED: { status: 409, title: 'The ticket is closed' },
  TICKET_ASSIGNEE_INVALID: { status: 422, title: 'Tickets can be assigned to platform admins only' },
});
