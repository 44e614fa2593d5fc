// /audit: the workspace's trail (query, one event, export, verify) and the platform admin's
// cross-workspace listing. The workspace is always the principal's.
import { Readable } from 'node:stream';
import { Type } from '@fastify/type-provider-typebox';
import type { Database } from '../../kernel/db/database.ts';
import type { RoutePlugin } from '../../kernel/module.ts';
import { auditContextOf } from './audit-context.ts';
import { AuditEventSchema, EventListQuery, EventPageSchema, ExportQuery, PlatformEventListQuery, VerificationSchema } from './audit.schema.ts';
import { exportEvents } from './export-events.ts';
import { filtersOf } from './list-events.ts';
import { getEvent } from './get-event.ts';
import { listEvents, listPlatformEvents } from './list-events.ts';
import { recordEvent } from './record-event.ts';
import { verifyWorkspaceChain } from './verify-chain.ts';

const tags = ['audit'];

export function auditRoutes(db: Database): RoutePlugin {
  return async (app) => {
    app.get('/audit/events', {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'Audit events of the workspace: filter, sort by time, cursor pagination',
        querystring: EventListQuery,
        response: { 200: EventPageSchema },
      },
    }, async (request) => listEvents(db, request.principal!.workspaceId, request.query));

    app.get('/audit/events/:id', {
      config: { permission: 'audit.read' },
      schema: { tags, summary: 'One audit event, with its diff', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: AuditEventSchema } },
    }, async (request) => getEvent(db, request.principal!.workspaceId, request.params.id));

    app.get('/audit/export', {
      config: { permission: 'audit.export' },
      schema: {
        tags,
        summary: 'Export the events matching the filters as CSV or a JSON array (streamed, oldest first by default)',
        description: 'The export itself is recorded as an `audit.exported` event.',
        querystring: ExportQuery,
        response: {
          200: {
            description: 'The events, streamed: CSV (format=csv) or a JSON array (format=json)',
            content: {
              'text/csv': { schema: Type.String({ description: 'A header line, then one line per event' }) },
              'application/json': { schema: Type.Array(AuditEventSchema) },
            },
          },
        },
      },
    }, async (request, reply) => {
      const ws = request.principal!.workspaceId;
      const { format, sort, ...rest } = request.query;
      const chunks = await exportEvents(db, ws, { ...rest, sort }, format);
      await db.withWorkspace(ws, (tx) => recordEvent(tx, auditContextOf(request), {
        workspaceId: ws, action: 'audit.exported', targetType: 'audit_trail', targetId: ws,
        diff: { after: { format, filters: filtersOf(rest), sort: sort ?? 'asc' } },
      }));
      const stamp = new Date().toISOString().slice(0, 10);
      reply
        .header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="audit-${stamp}.${format}"`)
        .header('cache-control', 'no-store');
      // A stream skips serialization; the type provider only knows the documented string body.
      return reply.send(Readable.from(chunks) as unknown as string);
    });

    app.get('/audit/verify', {
      config: { permission: 'audit.read' },
      schema: {
        tags,
        summary: 'Verify the workspace\'s hash chain; reports the first broken link',
        response: { 200: VerificationSchema },
      },
    }, async (request) => verifyWorkspaceChain(db, request.principal!.workspaceId));

    app.get('/admin/audit/events', {
      config: { auth: 'platform-admin' },
      schema: {
        tags: ['admin', 'audit'],
        summary: 'Audit events of every workspace (or one, with workspaceId): filter, sort, cursor pagination',
        querystring: PlatformEventListQuery,
        response: { 200: EventPageSchema },
      },
    }, async (request) => listPlatformEvents(db, request.query));
  };
}
