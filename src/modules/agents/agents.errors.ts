import { defineErrors } from '../../kernel/errors.ts';

export const agentsErrors = defineErrors({
  AGENT_NOT_FOUND: { status: 404, title: 'Agent not found' },
  AGENT_NAME_TAKEN: { status: 409, title: 'An agent with this name exists' },
  // Chat with an agent that has no published version (and the caller did not ask for the draft).
  AGENT_NOT_PUBLISHED: { status: 409, title: 'The agent has no published version' },
  // A tool named in the configuration is not in the registry.
  AGENT_TOOL_UNKNOWN: { status: 422, title: 'Unknown tool' },
  // A service role above the caller's own.
  AGENT_ROLE_ABOVE_YOURS: { status: 403, title: 'The service role is above your own' },
  THREAD_NOT_FOUND: { status: 404, title: 'Conversation not found' },
  RUN_NOT_FOUND: { status: 404, title: 'Run not found' },
  RUN_NOT_RUNNING: { status: 409, title: 'The run has ended' },
  // A run's job found it already taken (a second attempt after a crash): never run twice.
  RUN_ALREADY_STARTED: { status: 409, title: 'The run has already started' },
  ASSISTANT_INPUT_INVALID: { status: 422, title: 'The assistant needs a message or a confirmation' },
  RUN_NOT_AWAITING: { status: 409, title: 'Nothing in this conversation awaits a confirmation' },
  AGENT_WEBHOOK_PAYLOAD_TOO_LARGE: { status: 413, title: 'The payload is larger than an agent takes' },
  AGENT_WEBHOOK_NOT_SET: { status: 404, title: 'The agent has no webhook' },
  AGENT_CURSOR_INVALID: { status: 400, title: 'Invalid cursor' },
});
