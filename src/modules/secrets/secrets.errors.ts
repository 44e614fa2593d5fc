import { defineErrors } from '../../kernel/errors.ts';

export const secretsErrors = defineErrors({
  SECRET_NOT_FOUND: { status: 404, title: 'Secret not found' },
  // Server-side faults (a wrong master key, a ciphertext moved between rows): never the caller's mistake.
  SECRET_UNREADABLE: { status: 500, title: 'The secret could not be decrypted' },
  MASTER_KEY_MISSING: { status: 500, title: 'The master key that wraps this data key is not configured' },
});
