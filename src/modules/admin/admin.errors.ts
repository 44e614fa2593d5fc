import { defineErrors } from '../../kernel/errors.ts';

export const adminErrors = defineErrors({
  USER_NOT_FOUND: { status: 404, title: 'User not found' },
  PASSWORD_REQUIRED: { status: 400, title: 'A password is required to create this user' },
  CURSOR_INVALID: { status: 400, title: 'The cursor is not valid' },
  FILTER_INVALID: { status: 400, title: 'The filters are not valid' },
  ACCOUNT_INVALID: { status: 400, title: 'The account change is not valid' },
});
