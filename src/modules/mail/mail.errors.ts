import { defineErrors } from '../../kernel/errors.ts';

export const mailErrors = defineErrors({
  MAIL_NOT_FOUND: { status: 404, title: 'Mail not found' },
});
