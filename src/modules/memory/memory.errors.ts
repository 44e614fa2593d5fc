import { defineErrors } from '../../kernel/errors.ts';

export const memoryErrors = defineErrors({
  MEMORY_NOT_FOUND: { status: 404, title: 'Memory not found' },
  // The agent named in the path is not one of the workspace's.
  MEMORY_AGENT_NOT_FOUND: { status: 404, title: 'Agent not found' },
  // The workspace's (or the agent's) memory holds its plan's most memories or bytes.
  MEMORY_QUOTA_EXCEEDED: { status: 429, title: 'Memory quota exceeded' },
  MEMORY_CURSOR_INVALID: { status: 400, title: 'Invalid cursor' },
  MEMORY_EXPIRY_INVALID: { status: 422, title: 'The expiry is in the past' },
  // The workspace's memory lives with an external provider (Mem0): list, edit, delete and export happen there.
  MEMORY_EXTERNAL: { status: 409, title: 'This workspace\'s memory is kept by an external provider' },
  // The external provider cannot be used as given (address refused, secret missing, project not created).
  MEMORY_SPACE_INVALID: { status: 422, title: 'The memory provider cannot be used as given' },
  // The external provider did not answer (or refused): remember and recall wait for it.
  MEMORY_PROVIDER_UNAVAILABLE: { status: 502, title: 'The memory provider did not answer' },
});
