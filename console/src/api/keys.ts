// Query keys. Everything read inside a workspace is keyed by its id, so switching workspace can
// never show the previous workspace's rows, not even for one render.
export const keys = {
  me: ['me'] as const,
  sessions: ['user', 'sessions'] as const,
  workspace: (workspaceId: string, ...parts: Array<string | number | undefined>) => ['ws', workspaceId, ...parts] as const,
  admin: (...parts: Array<string | number | object | undefined>) => ['admin', ...parts] as const,
};
