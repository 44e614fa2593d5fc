import { defineErrors } from '../../kernel/errors.ts';

export const usageErrors = defineErrors({
  QUOTA_EXCEEDED: { status: 429, title: 'The monthly AI quota or budget is reached' },
  MODEL_UNPRICED: { status: 422, title: 'The model has no price, and a cost budget applies' },
  QUOTA_ABOVE_PLAN: { status: 403, title: 'The limit is above what the workspace\'s plan allows' },
  QUOTA_INVALID: { status: 400, title: 'The quota is not valid' },
  QUOTA_NOT_FOUND: { status: 404, title: 'Quota not found' },
  USAGE_FILTER_INVALID: { status: 400, title: 'The usage filter is not valid' },
  USAGE_CURSOR_INVALID: { status: 400, title: 'The cursor is not valid' },
});
