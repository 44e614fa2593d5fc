import { defineErrors } from '../../kernel/errors.ts';

export const mcpErrors = defineErrors({
  // A JSON-RPC message the MCP transport refuses as a whole (not a request it answers with a JSON-RPC error).
  MCP_MESSAGE_INVALID: { status: 400, title: 'Not a Model Context Protocol message this server accepts' },
});
