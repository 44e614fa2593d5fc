import { defineErrors } from '../../kernel/errors.ts';

export const memoryErrors = defineErrors({
  MEMORY_NOT_FOUND: { status: 404, title: 'Memory not found' },
  // The agent named in the path is not one of the workspace's.
  MEMORY_AGENT_NOT_FOUND: { status: 404, title: 'Agent not found' },
  // The workspace's (or the agent's) memory holds its plan's most memories or bytes.
  MEMORY_QUOTA_EXCEEDED: { status: 429, title: 'Memory quota exceeded' },
  MEMORY_CURSOR_INVALID: { status: 400, title: 'Invalid cursor' },
  MEMORY_EXPIRY_INVALID: { status: 422, title: 'The expiry is in the past' },
});
