import { Type } from '@fastify/type-provider-typebox';
import type { RoutePlugin } from '../../kernel/module.ts';
import type { Database } from '../../kernel/db/database.ts';
import { mailErrors } from './mail.errors.ts';
import { getMail, listMail } from './mail.store.ts';
import { MailListQuery, MailSchema as Mail } from './mail.schema.ts';


export function mailRoutes(db: Database): RoutePlugin {
  return async (app) => {
    app.get('/mail', {
      config: { permission: 'mail.read' },
      schema: {
        tags: ['mail'],
        summary: 'The workspace outbox (dev mailbox): newest first',
        querystring: MailListQuery,
        response: { 200: Type.Object({ data: Type.Array(Mail), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const data = await db.withWorkspace(ws, (tx) => listMail(tx, ws, { limit: request.query.limit, before: request.query.cursor }));
      return { data, nextCursor: data.length === request.query.limit ? data[data.length - 1].id : null };
    });

    app.get('/mail/:id', {
      config: { permission: 'mail.read' },
      schema: { tags: ['mail'], summary: 'One mail of the outbox', params: Type.Object({ id: Type.String({ format: 'uuid' }) }), response: { 200: Mail } },
    }, async (request) => {
      const ws = request.principal!.workspaceId;
      const mail = await db.withWorkspace(ws, (tx) => getMail(tx, ws, request.params.id));
      if (!mail) throw mailErrors.create('MAIL_NOT_FOUND');
      return mail;
    });
  };
}
