// The typed permission registry: one source of truth for the server, the docs and the console.
// Names are `resource.action`. The governance issue adds custom roles and conditions on top.
export const PERMISSIONS = {
  'workspace.read': 'See the workspace and its settings',
  'workspace.update': 'Rename the workspace and change its settings',
  'workspace.create_child': 'Create a project or team under the workspace',
  'workspace.delete': 'Soft-delete the workspace',
  'member.read': 'List members',
  'member.invite': 'Invite people and revoke invitations',
  'member.update': 'Change a member\'s role and assign custom roles',
  'member.remove': 'Remove a member',
  'api_key.read': 'List API keys',
  'api_key.create': 'Create API keys',
  'api_key.revoke': 'Revoke API keys',
  'mail.read': 'Read the workspace\'s outbox (dev mailbox)',
  'audit.read': 'Read and verify the workspace\'s audit trail',
  'audit.export': 'Export the audit trail as CSV or JSON',
  'secret.read': 'List secrets and see their metadata (never their values)',
  'secret.write': 'Create, update and delete secrets',
  'role.read': 'See the workspace\'s roles (built-in and custom) and their permissions',
  'role.manage': 'Create, edit and delete custom roles (never with a permission you don\'t hold)',
  'impersonation.start': 'Act as a member of the workspace for up to 60 minutes, with a written reason (audited)',
  'workflow.read': 'See workflows, their versions, executions, step timelines and stats',
  'workflow.create': 'Create workflows',
  'workflow.update': 'Change a workflow\'s settings and add versions (edit its steps)',
  'workflow.delete': 'Archive workflows',
  'workflow.deploy': 'Deploy a version of a workflow (and its cron schedule)',
  'workflow.execute': 'Run workflows, cancel and retry their executions',
  'workflow.build': 'See the builds of workflows (the compiled code, its commits and diffs) and rebuild them',
  'api_log.read': 'Read the workspace\'s API request logs (bodies of failed requests, redacted)',
  'webhook.read': 'See webhook endpoints, event subscriptions and their delivery logs (never their secrets)',
  'webhook.manage': 'Create, change, delete webhook endpoints and event subscriptions, rotate their secrets, replay and redeliver',
  'request.read': 'See the workspace\'s workflow requests and their timeline',
  'request.create': 'Ask for a new automation; edit or withdraw a request before it is under way',
  'ticket.read': 'See the workspace\'s support tickets and their threads',
  'ticket.create': 'Open and close support tickets',
  'ticket.comment': 'Reply in a support ticket\'s thread',
  'llm.use': 'Call models through the AI gateway (chat, embeddings), within the workspace\'s quotas and budgets',
  'llm.read': 'See model providers (never their keys), aliases and prices',
  'llm.manage': 'Connect, change and delete model providers, aliases and price overrides',
  'usage.read': 'See AI usage, costs, quotas, budgets and their alerts',
  'usage.manage': 'Set AI quotas and budgets for the workspace, its API keys and agents (within the plan)',
  'agent.read': 'See agents, their versions, runs, conversations and logs',
  'agent.manage': 'Create, edit, publish and delete agents; set their service role (never above your own); clear their logs',
  'agent.run': 'Chat with agents and run them (each run acts with your permissions)',
  'memory.read': 'See and recall the workspace\'s and its agents\' memories',
  'memory.write': 'Add, edit and delete memories',
  'http.request': 'Let agents, the assistant and MCP clients call outside APIs with the HTTP tools (secrets by name, to the hosts the workspace allows)',
  'mcp_server.manage': 'Add, change, refresh and remove the external MCP servers whose tools the workspace\'s agents may use',
  'mcp_tool.call': 'Let agents, the assistant and workflows call the tools of the workspace\'s external MCP servers (with the credentials the workspace gave them)',
  'data.read': 'Query the workspace\'s own tables through its GraphQL API, and see their definitions and migrations',
  'data.write': 'Add, change and delete rows of the workspace\'s own tables (GraphQL mutations)',
  'data_schema.manage': 'Create, change and drop the workspace\'s own tables, columns, indexes and enums (migrations of its data schema)',
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

const ALL = Object.keys(PERMISSIONS) as Permission[];

const BUILT_IN: Record<Role, readonly Permission[]> = {
  owner: ALL,
  // Impersonation is the owner's by default (custom roles may be granted it).
  admin: ALL.filter((p) => p !== 'workspace.delete' && p !== 'impersonation.start'),
  member: ['workspace.read', 'member.read', 'api_key.read', 'secret.read', 'role.read', 'workflow.read', 'workflow.create', 'workflow.update', 'workflow.execute', 'webhook.read', 'request.read', 'request.create', 'ticket.read', 'ticket.create', 'ticket.comment', 'llm.use', 'llm.read', 'usage.read', 'agent.read', 'agent.run', 'memory.read', 'memory.write', 'http.request', 'mcp_tool.call', 'data.read', 'data.write'],
  viewer: ['workspace.read', 'member.read', 'workflow.read', 'request.read', 'ticket.read', 'agent.read', 'memory.read', 'data.read'],
};

const SETS: Record<Role, ReadonlySet<Permission>> = {
  owner: new Set(BUILT_IN.owner),
  admin: new Set(BUILT_IN.admin),
  member: new Set(BUILT_IN.member),
  viewer: new Set(BUILT_IN.viewer),
};

export function permissionsOf(role: Role): Permission[] {
  return [...(BUILT_IN[role] ?? [])];
}

/** Deny on anything unknown: an unrecognised role or permission is never allowed. */
export function roleCan(role: Role, permission: Permission): boolean {
  return SETS[role]?.has(permission) ?? false;
}

/** Roles a member may hand out: never more than their own. */
export function canGrantRole(granter: Role, target: Role): boolean {
  const rank: Record<Role, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };
  return (rank[granter] ?? 0) >= (rank[target] ?? 99);
}
