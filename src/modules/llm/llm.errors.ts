import { defineErrors } from '../../kernel/errors.ts';

export const llmErrors = defineErrors({
  MODEL_NOT_FOUND: { status: 404, title: 'No such model for this workspace' },
  MODEL_NOT_ALLOWED: { status: 403, title: 'The model is not on the workspace\'s allow-list' },
  PROVIDER_NOT_FOUND: { status: 404, title: 'Provider not found' },
  PROVIDER_INVALID: { status: 400, title: 'The provider is not valid' },
  PROVIDER_NAME_TAKEN: { status: 409, title: 'A provider of this workspace already has this name' },
  PROVIDER_IN_USE: { status: 409, title: 'Aliases still point at this provider' },
  ALIAS_NOT_FOUND: { status: 404, title: 'Alias not found' },
  ALIAS_INVALID: { status: 400, title: 'The alias is not valid' },
  PRICE_INVALID: { status: 400, title: 'The price is not valid' },
  PRICE_OVERRIDE_NOT_FOUND: { status: 404, title: 'The workspace has no override of this model\'s price' },
  LLM_REQUEST_INVALID: { status: 400, title: 'The model request is not valid' },
  OPERATION_UNSUPPORTED: { status: 400, title: 'The provider does not support this operation' },
  // The provider's side: never the caller's mistake, never a crash of ours.
  PROVIDER_ERROR: { status: 502, title: 'The model provider answered with an error' },
  PROVIDER_UNREACHABLE: { status: 502, title: 'The model provider could not be reached' },
  PROVIDER_TIMEOUT: { status: 504, title: 'The model provider did not answer in time' },
  PROVIDER_RATE_LIMITED: { status: 429, title: 'The model provider is rate limiting' },
  PROVIDER_ADDRESS_REFUSED: { status: 422, title: 'The provider\'s address is private, loopback or reserved' },
});
