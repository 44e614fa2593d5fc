import { defineErrors } from '../../kernel/errors.ts';

export const tenancyErrors = defineErrors({
  WORKSPACE_NOT_FOUND: { status: 404, title: 'Workspace not found' },
  SLUG_TAKEN: { status: 409, title: 'This slug is already taken' },
  SETTING_UNKNOWN: { status: 400, title: 'Unknown workspace setting' },
  SETTING_INVALID: { status: 400, title: 'Invalid workspace setting value' },
  HIERARCHY_NOT_ALLOWED: { status: 409, title: 'This workspace cannot have a child of that kind' },
  WORKSPACE_HAS_CHILDREN: { status: 409, title: 'This workspace still has active child workspaces' },
  WORKSPACE_STATUS_CONFLICT: { status: 409, title: 'The workspace is not in a state that allows this' },
});
