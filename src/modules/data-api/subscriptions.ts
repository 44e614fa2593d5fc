// GraphQL subscriptions on a workspace's rows, over WebSocket (the graphql-ws protocol, its own
// library) at /api/v1/data/graphql. A committed change arrives by LISTEN on `atrium_data_changes`
// (migration 0034: ids only); the rows are read again under each subscriber's rights — its data
// role, its user id and roles for the row rules, its filter — once per group of subscribers who
// would see the same thing (1,000 tabs of one user cost one read, not 1,000). A delete reaches
// only subscriptions that were sent the row (nothing tells a subscriber about rows it never saw).
// Per-workspace connection caps; bounded queues; a client that does not read is dropped (its
// socket's unsent bytes past a limit), never the server.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { GraphQLError } from 'graphql';
import type { FastifyRequest } from 'fastify';
import type { Database } from '../../kernel/db/database.ts';
import { createListenLine } from '../../kernel/db/listen.ts';
import type { ListenLine } from '../../kernel/db/listen.ts';
import type { Logger } from '../../kernel/logging.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { holdsPermission } from '../access/index.ts';
import type { GraphqlEngine } from './engine.ts';
import type { ChangeArgs, ChangePayload, SubscriptionContext } from './graphql-schema.ts';
import type { ModelTable } from './model.ts';
import { compileFilter, ident, keyMatch, Params, selectList } from './sql.ts';

export const SUBSCRIPTION_LIMITS = { connectionsPerWorkspace: 100, subscriptionsPerConnection: 50, queue: 1000, socketBufferBytes: 4 * 1024 * 1024 } as const;
const PATH = '/api/v1/data/graphql';
const CHANNEL = 'atrium_data_changes';

type Caller = { workspaceId: string; userId: string | null; roles: string[] };
type Subscriber = { caller: Caller; table: string; args: ChangeArgs; group: string; seen: Set<string>; push(p: ChangePayload): void };
type Notice = { s: string; t: string; o: 'i' | 'u' | 'd'; k: string[] };

/** A bounded queue read by `for await`; overflowing it ends the stream with an error. */
function channel(onClose: () => void): { iterable: AsyncIterableIterator<ChangePayload>; push(p: ChangePayload): void } {
  const queue: ChangePayload[] = [];
  let wake: ((r: IteratorResult<ChangePayload>) => void) | null = null;
  let failed: Error | null = null;
  let isDone = false;
  const finish = () => {
    if (isDone) return;
    isDone = true;
    onClose();
  };
  const iterable: AsyncIterableIterator<ChangePayload> = {
    next() {
      if (failed) return Promise.reject(failed);
      const item = queue.shift();
      if (item) return Promise.resolve({ value: item, done: false });
      if (isDone) return Promise.resolve({ value: undefined, done: true });
      return new Promise((resolve) => { wake = resolve; });
    },
    return() {
      finish();
      wake?.({ value: undefined, done: true });
      return Promise.resolve({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  return {
    iterable,
    push(p) {
      if (isDone) return;
      if (wake) {
        const w = wake;
        wake = null;
        w({ value: p, done: false });
        return;
      }
      if (queue.length >= SUBSCRIPTION_LIMITS.queue) {
        failed = new GraphQLError('This subscription fell too far behind and was ended', { extensions: { code: 'SLOW_CONSUMER' } });
        finish();
        return;
      }
      queue.push(p);
    },
  };
}

function workspaceOfSchema(schema: string): string | null {
  const m = /^ws_([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/.exec(schema);
  return m ? `${m[1]}-${m[2]}-${m[3]}-${m[4]}-${m[5]}` : null;
}

export function createSubscriptions(deps: { db: Database; log: Logger; engine: GraphqlEngine; authenticate(request: FastifyRequest): Promise<Principal | null> }) {
  const byTarget = new Map<string, Set<Subscriber>>();
  const connections = new Map<string, number>();
  let line: ListenLine | null = null;
  let listening: Promise<void> | null = null;
  let isClosed = false;

  /**
   * The change feed: one dedicated LISTEN connection (straight to PostgreSQL, never a pooled one),
   * opened at the first subscription and reconnected by itself. Resolves once it listens; a
   * subscriber waits for it at most 10 s (a database away refuses the socket rather than hanging it).
   */
  function listen(): Promise<void> {
    listening ??= new Promise<void>((resolve) => {
      line = createListenLine({
        url: () => deps.db.directUrl, channels: [CHANNEL], applicationName: 'atrium-data-listen', log: deps.log,
        lostMessage: 'the data-change listener lost its connection; reconnecting',
        isActive: () => !isClosed,
        onListening: () => resolve(),
        onNotification: (_channel, payload) => {
          let notice: Notice;
          try {
            notice = JSON.parse(payload) as Notice;
          } catch {
            return;
          }
          deliver(notice).catch((err: unknown) => deps.log.warn({ err }, 'a data change could not be delivered to its subscribers'));
        },
      });
      void line.start();
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('the data change feed is not listening yet')), 10_000); });
    return Promise.race([listening, late]).finally(() => clearTimeout(timer));
  }

  async function deliver(notice: Notice): Promise<void> {
    const workspaceId = workspaceOfSchema(notice.s);
    if (!workspaceId || !Array.isArray(notice.k)) return;
    const subscribers = byTarget.get(`${workspaceId}:${notice.t}`);
    if (!subscribers?.size) return;
    const keys = notice.k.filter((k): k is string => typeof k === 'string');
    const wanted = (s: Subscriber, op: ChangePayload['op']) => !s.args.ops?.length || s.args.ops.includes(op);
    if (notice.o === 'd') {
      for (const s of subscribers) {
        for (const key of keys) {
          if (!s.seen.delete(key)) continue;
          if (wanted(s, 'd')) s.push({ op: 'd', key, row: null });
        }
      }
      return;
    }
    // One read per group: same caller, same filter.
    const groups = new Map<string, Subscriber[]>();
    for (const s of subscribers) groups.set(s.group, [...(groups.get(s.group) ?? []), s]);
    await Promise.all([...groups.values()].map(async (group) => {
      const { caller, table: tableName, args } = group[0];
      const rows = await deps.engine.inSchema(caller, async (tx, shape) => {
        const table = shape.model.tables.find((t) => t.name === tableName);
        if (!table || !table.primaryKey.length) return null;
        const keyColumns = table.primaryKey.map((n) => table.columns.find((c) => c.name === n)!);
        const params = new Params();
        // A key of several columns travels as the JSON array of its values as text (migration 0035), read back the same way.
        const composite = keyColumns.length > 1;
        const tuples = composite ? keys.map((k) => { try { return JSON.parse(k) as unknown[]; } catch { return []; } }).filter((v) => v.length === keyColumns.length) : keys.map((k) => [k]);
        if (!tuples.length) return [];
        const match = keyMatch(keyColumns, tuples, params);
        const keyText = composite
          ? `(select jsonb_agg(to_jsonb(t.*) ->> u.c order by u.o) from unnest(${params.add(table.primaryKey, 'text[]')}) with ordinality u(c, o))::text`
          : `t.${ident(keyColumns[0].name)}::text`;
        const where = compileFilter(table, args.filter, params);
        const { rows: found } = await tx.query<Record<string, unknown>>(`select ${selectList(table)}, ${keyText} as "__key" from ${ident(table.name)} t where ${match} and ${where}`, params.values);
        return found;
      }).catch((err: unknown) => {
        deps.log.warn({ err, workspaceId, table: tableName }, 'rows of a data change could not be read for their subscribers');
        return null;
      });
      if (!rows) return;
      const byKey = new Map(rows.map((r) => [String(r.__key), r]));
      for (const s of group) {
        for (const key of keys) {
          const row = byKey.get(key);
          if (row) {
            const { __key: _k, ...visible } = row;
            s.seen.add(key);
            if (s.seen.size > 10_000) s.seen.delete(s.seen.values().next().value as string);
            if (wanted(s, notice.o)) s.push({ op: notice.o, key, row: visible });
          } else if (s.seen.delete(key) && wanted(s, 'd')) {
            // It was in view, and is not anymore (a row rule, or the filter): for this subscriber, gone.
            s.push({ op: 'd', key, row: null });
          }
        }
      }
    }));
  }

  function open(caller: Caller, socket: WebSocket, table: ModelTable, args: ChangeArgs, perSocket: { count: number }): AsyncIterable<ChangePayload> {
    if (!table.primaryKey.length) throw new GraphQLError(`${table.name} has no primary key: its changes cannot be followed`, { extensions: { code: 'NOT_SUBSCRIBABLE' } });
    if (perSocket.count >= SUBSCRIPTION_LIMITS.subscriptionsPerConnection) {
      throw new GraphQLError(`At most ${SUBSCRIPTION_LIMITS.subscriptionsPerConnection} subscriptions per connection`, { extensions: { code: 'SUBSCRIPTION_LIMIT', limit: SUBSCRIPTION_LIMITS.subscriptionsPerConnection } });
    }
    perSocket.count++;
    const target = `${caller.workspaceId}:${table.name}`;
    const subscriber: Subscriber = {
      caller, table: table.name, args, seen: new Set(),
      group: JSON.stringify([caller.userId, caller.roles, args.filter ?? null]),
      push: () => {},
    };
    const ch = channel(() => {
      perSocket.count--;
      byTarget.get(target)?.delete(subscriber);
      if (byTarget.get(target)?.size === 0) byTarget.delete(target);
    });
    subscriber.push = (p) => {
      // A client that does not read its socket is dropped before it costs the server memory.
      if (socket.bufferedAmount > SUBSCRIPTION_LIMITS.socketBufferBytes) {
        socket.close(4008, 'Too slow: the subscription fell behind');
        return;
      }
      ch.push(p);
    };
    if (!byTarget.has(target)) byTarget.set(target, new Set());
    byTarget.get(target)!.add(subscriber);
    return ch.iterable;
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024 });
  type Extra = { principal?: Principal; perSocket?: { count: number } };
  const server = useServer<Record<string, unknown> | undefined, Extra>({
    onConnect: async (ctx) => {
      const header = typeof ctx.connectionParams?.authorization === 'string' ? ctx.connectionParams.authorization : ctx.extra.request.headers.authorization;
      const principal = header ? await deps.authenticate({ headers: { authorization: header } } as FastifyRequest).catch(() => null) : null;
      if (!principal || !holdsPermission(principal, 'data.read')) return false;
      const open = connections.get(principal.workspaceId) ?? 0;
      if (open >= SUBSCRIPTION_LIMITS.connectionsPerWorkspace) {
        ctx.extra.socket.close(4429, `At most ${SUBSCRIPTION_LIMITS.connectionsPerWorkspace} subscription connections per workspace`);
        return false;
      }
      connections.set(principal.workspaceId, open + 1);
      ctx.extra.principal = principal;
      ctx.extra.perSocket = { count: 0 };
      await listen();
      return true;
    },
    onClose: (ctx) => {
      const principal = ctx.extra.principal;
      if (!principal) return;
      const n = (connections.get(principal.workspaceId) ?? 1) - 1;
      if (n <= 0) connections.delete(principal.workspaceId);
      else connections.set(principal.workspaceId, n);
    },
    onSubscribe: async (ctx, _id, payload) => {
      const principal = ctx.extra.principal!;
      const caller: Caller = { workspaceId: principal.workspaceId, userId: principal.userId, roles: [principal.role] };
      const prepared = await deps.engine.prepareSubscription(caller, { query: payload.query, variables: payload.variables ?? null, operationName: payload.operationName ?? null });
      if ('errors' in prepared) return prepared.errors;
      const contextValue: SubscriptionContext = { changes: (table, args) => open(caller, ctx.extra.socket, table, args, ctx.extra.perSocket!) };
      return { schema: prepared.shape.schema, document: prepared.document, variableValues: payload.variables ?? {}, operationName: payload.operationName, contextValue };
    },
  }, wss, 12_000);

  return {
    /** Takes the HTTP server's upgrades to /api/v1/data/graphql (the others are left to their owners). */
    attach(httpServer: http.Server) {
      httpServer.on('upgrade', (request: http.IncomingMessage, socket: Duplex, head: Buffer) => {
        const path = (request.url ?? '').split('?')[0];
        if (path !== PATH || isClosed) return;
        wss.handleUpgrade(request, socket, head, (ws) => wss.emit('connection', ws, request));
      });
    },
    stats: () => ({
      connections: [...connections.values()].reduce((a, b) => a + b, 0),
      /** Live subscriptions by `<workspace id>:<table>`. */
      subscribers: Object.fromEntries([...byTarget].map(([target, set]) => [target, set.size])) as Record<string, number>,
    }),
    async close() {
      isClosed = true;
      for (const client of wss.clients) client.close(1001, 'Server shutting down');
      await server.dispose();
      wss.close();
      const l = line;
      line = null;
      listening = null;
      if (l) await l.stop();
    },
  };
}
