// PostGraphile v5 as a peer of the data API (issue 14 asks for it measured), serving one
// workspace's data schema through grafserv on node:http, with its filter plugin, unqualified
// identifiers, and each request switched to the workspace's data role and schema (pgSettings:
// role, search_path, the workspace binding) as Atrium does. No JWT check (an advantage to it).
// Not a dependency of Atrium: bench/data-api.ts copies this file into BENCH_POSTGRAPHILE_DIR
// (npm i postgraphile@5 postgraphile-plugin-connection-filter@4 pg there) and runs it there.
// argv: port appUrl workspaceId schema role
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { postgraphile } from 'postgraphile';
import { PostGraphileAmberPreset } from 'postgraphile/presets/amber';
import { makePgService } from 'postgraphile/adaptors/pg';
import { grafserv } from 'postgraphile/grafserv/node';
import { PostGraphileConnectionFilterPreset } from 'postgraphile-plugin-connection-filter';

const [port, appUrl, workspaceId, schema, role] = process.argv.slice(2);
const started = performance.now();
const heapBefore = process.memoryUsage().heapUsed;
const preset = {
  extends: [PostGraphileAmberPreset, PostGraphileConnectionFilterPreset],
  pgServices: [makePgService({ connectionString: appUrl, schemas: [schema], poolConfig: { max: 10 } })],
  gather: { pgIdentifiers: 'unqualified' },
  grafserv: { graphqlPath: '/data/graphql', graphiql: false },
  grafast: {
    context: () => ({ pgSettings: { role, search_path: `"${schema}"`, 'app.workspace_id': workspaceId, statement_timeout: '5000' } }),
  },
};
const pgl = postgraphile(preset);
await pgl.getSchema();
const buildMs = performance.now() - started;
globalThis.gc?.();
const heapMb = (process.memoryUsage().heapUsed - heapBefore) / 1024 / 1024;
const serv = pgl.createServ(grafserv);
const server = createServer();
server.on('error', () => {});
serv.addTo(server);
server.listen(Number(port), '127.0.0.1', () => process.send?.({ ready: true, buildMs, heapMb }));
process.on('SIGTERM', async () => {
  server.close();
  await pgl.release();
  process.exit(0);
});
