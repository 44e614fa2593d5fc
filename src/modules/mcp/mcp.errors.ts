import { defineErrors } from '../../kernel/errors.ts';

export const mcpErrors = defineErrors({
  // A JSON-RPC message the MCP transport refuses as a whole (not a request it answers with a JSON-RPC error).
  MCP_MESSAGE_INVALID: { status: 400, title: 'Not a Model Context Protocol message this server accepts' },
  MCP_SERVER_NOT_FOUND: { status: 404, title: 'No such MCP server in this workspace' },
  MCP_SERVER_NAME_TAKEN: { status: 409, title: 'An MCP server of this workspace already has this name' },
  // The URL fails the outbound address guard, or the secret is not in the vault.
  MCP_SERVER_INVALID: { status: 422, title: 'The MCP server cannot be used as given' },
});
