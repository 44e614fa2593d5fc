import { defineErrors } from '../../kernel/errors.ts';

export const auditErrors = defineErrors({
  AUDIT_EVENT_NOT_FOUND: { status: 404, title: 'Audit event not found' },
  AUDIT_CURSOR_INVALID: { status: 400, title: 'The cursor is not valid for this query' },
  AUDIT_FILTER_INVALID: { status: 400, title: 'The filters are not valid' },
});
