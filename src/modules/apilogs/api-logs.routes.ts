// /api-logs: the workspace's own API requests (owners and admins). The workspace is the
// principal's; requests without a workspace (login, public routes) are never listed here.
import type { Database } from '../../kernel/db/database.ts';
import type { RoutePlugin } from '../../kernel/module.ts';
import { ApiLogListQuery, ApiLogPageSchema } from './api-logs.schema.ts';
import { listApiLogs } from './list-api-logs.ts';

const tags = ['api-logs'];

export function apiLogsRoutes(db: Database): RoutePlugin {
  return async (app) => {
    app.get('/api-logs', {
      config: { permission: 'api_log.read' },
      schema: {
        tags,
        summary: 'API requests of the workspace, newest first: filter by status, method, endpoint and time; cursor pagination',
        description: 'Bodies are kept for errors only (status >= 400), with credentials redacted. Rows are written in batches, so the latest requests appear within a second.',
        querystring: ApiLogListQuery,
        response: { 200: ApiLogPageSchema },
      },
    }, async (request) => listApiLogs(db, request.principal!.workspaceId, request.query));
  };
}
