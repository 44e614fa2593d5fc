import { defineErrors } from '../../kernel/errors.ts';

export const accessErrors = defineErrors({
  ROLE_NOT_FOUND: { status: 404, title: 'Role not found' },
  ROLE_NAME_TAKEN: { status: 409, title: 'A role with this name already exists' },
  ROLE_LIMIT_REACHED: { status: 409, title: 'This workspace has the maximum number of custom roles' },
  PERMISSION_NOT_GRANTABLE: { status: 403, title: 'You cannot grant a permission you don\'t hold for every resource' },
  CONDITIONS_INVALID: { status: 400, title: 'The conditions are not valid for this permission' },
});
