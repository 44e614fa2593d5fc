import { defineErrors } from '../../kernel/errors.ts';

export const apiLogsErrors = defineErrors({
  API_LOG_CURSOR_INVALID: { status: 400, title: 'The cursor is not valid' },
  API_LOG_FILTER_INVALID: { status: 400, title: 'The filters are not valid' },
});
