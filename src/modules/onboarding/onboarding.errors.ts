import { defineErrors } from '../../kernel/errors.ts';

export const onboardingErrors = defineErrors({
  PROVISIONING_FAILED: { status: 500, title: 'The account could not be set up' },
});

/** The email already has an account: signup answers `already_created` and changes nothing. */
export class AccountExistsError extends Error {
  constructor() {
    super('An account with this email already exists');
    this.name = 'AccountExistsError';
  }
}
