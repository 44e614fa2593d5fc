// Atrium as bench/audit.ts loads it over HTTP: the production app on the bench database, with
// audit recording on or off (the bench-only `isRecording` switch of createAuditModule, never a
// configuration variable). argv: port (0: any, sent back over IPC) ownerUrl on|off. Rate
// limiting stays on, with a limit no run reaches, as in bench/servers/atrium-server.ts.
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import { BENCH_SECRET } from '../lib/database.ts';

const [port, ownerUrl, recording] = process.argv.slice(2);
const config = loadConfig({ DATABASE_URL: ownerUrl, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'warn', ATRIUM_DATA_DIR: '.atrium/bench-data', ATRIUM_DB_POOL_MAX: '10', ATRIUM_RATE_LIMIT_DEFAULT: '1000000000' }, { loadDotenv: false });
const log = createLogger(config.logLevel);
const db = await connectDatabase(config, log, ownerUrl);
const platform = await buildPlatform(config, db, log, { serveConsole: false, audit: { isRecording: recording !== 'off' } });
// The sealer runs as in production's workers (an API-only process would leave it to them).
platform.audit.sealer.start();
await platform.app.listen({ port: Number(port), host: '127.0.0.1' });
const address = platform.app.server.address();
process.send?.({ port: typeof address === 'object' && address ? address.port : Number(port) });
process.on('SIGTERM', async () => {
  await platform.audit.sealer.stop();
  await platform.close();
  await db.close();
  process.exit(0);
});
