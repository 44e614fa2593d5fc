// Stable codes of guarded impersonation (the refusals of the governance issue).
import { defineErrors } from '../../../kernel/errors.ts';

export const impersonationErrors = defineErrors({
  IMPERSONATION_NOT_ALLOWED: { status: 403, title: 'You may not start an impersonation' },
  IMPERSONATION_SELF: { status: 403, title: 'You cannot impersonate yourself' },
  IMPERSONATION_TARGET_PLATFORM_ADMIN: { status: 403, title: 'Platform admins cannot be impersonated' },
  IMPERSONATION_TARGET_ROLE: { status: 403, title: 'You cannot impersonate a member whose role is above your own' },
  IMPERSONATION_OPTED_OUT: { status: 403, title: 'This user does not allow impersonation' },
  IMPERSONATION_APPROVAL_REQUIRED: { status: 403, title: 'Impersonating a workspace owner needs the approval of a second platform admin' },
  IMPERSONATION_APPROVAL_NOT_NEEDED: { status: 409, title: 'Only impersonating a workspace owner needs an approval' },
  IMPERSONATION_SELF_APPROVAL: { status: 403, title: 'A second platform admin must approve; you cannot approve your own request' },
  IMPERSONATION_REQUEST_NOT_FOUND: { status: 404, title: 'Impersonation request not found' },
  IMPERSONATION_REQUEST_NOT_PENDING: { status: 409, title: 'This impersonation request was already approved or used' },
  IMPERSONATION_REQUEST_EXPIRED: { status: 409, title: 'This impersonation request is too old to approve; ask again' },
  IMPERSONATION_TARGET_NOT_FOUND: { status: 404, title: 'User not found' },
  NOT_IMPERSONATING: { status: 409, title: 'This session is not an impersonation' },
});
