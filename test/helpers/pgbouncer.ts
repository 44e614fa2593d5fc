// PgBouncer (Debian's package) in transaction pooling mode in front of a test PostgreSQL: the
// PgBouncer pass of `npm test` (scripts/test.ts) and the PgBouncer restart fault test start one.
// A wildcard database entry forwards every database name; the users and their passwords are
// given (PgBouncer answers SCRAM to the client and logs in to PostgreSQL with SCRAM too).
import { spawn, execFileSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import net from 'node:net';
import path from 'node:path';

export const PGBOUNCER_BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p));

export type PgBouncer = {
  port: number;
  /** `url` with its host and port replaced by PgBouncer's. */
  through(url: string): string;
  /** Kill it (SIGKILL: connections cut, as a crash would) and start it again on the same port. */
  restart(options?: { downMs?: number }): Promise<void>;
  stop(): Promise<void>;
  log(): string;
};

function postgresUser(): { uid: number; gid: number } | undefined {
  if (userInfo().uid !== 0) return undefined;
  return { uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()), gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()) };
}

function waitForPort(port: number, child: ChildProcess, logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + 10_000;
    const attempt = () => {
      if (child.exitCode !== null) return reject(new Error(`pgbouncer exited (${child.exitCode}): ${readLog(logFile).split('\n').slice(-3).join(' ')}`));
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => { socket.destroy(); resolve(); });
      socket.once('error', () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error('pgbouncer did not listen within 10 s'));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

const readLog = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8') : '');

export async function startPgBouncer(options: { postgresPort: number; port: number; users: Record<string, string>; poolSize?: number }): Promise<PgBouncer> {
  if (!PGBOUNCER_BINARY) throw new Error('pgbouncer is not installed (apt-get install -y pgbouncer)');
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-pgbouncer-'));
  const owner = postgresUser();
  const logFile = path.join(dir, 'pgbouncer.log');
  const quote = (s: string) => `"${s.replaceAll('"', '""')}"`;
  writeFileSync(path.join(dir, 'userlist.txt'), Object.entries(options.users).map(([u, p]) => `${quote(u)} ${quote(p)}`).join('\n') + '\n', { mode: 0o600 });
  writeFileSync(path.join(dir, 'pgbouncer.ini'), [
    '[databases]',
    `* = host=127.0.0.1 port=${options.postgresPort}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${options.port}`,
    'unix_socket_dir =',
    'auth_type = scram-sha-256',
    `auth_file = ${path.join(dir, 'userlist.txt')}`,
    'pool_mode = transaction',
    'max_client_conn = 2000',
    `default_pool_size = ${options.poolSize ?? 20}`,
    `logfile = ${logFile}`,
    'admin_users = postgres',
    'log_connections = 0',
    'log_disconnections = 0',
    // A server connection is handed to the next transaction as it is: no reset query (Atrium keeps nothing in the session).
    'server_reset_query =',
    '',
  ].join('\n'));
  if (owner) {
    chownSync(dir, owner.uid, owner.gid);
    for (const f of ['userlist.txt', 'pgbouncer.ini']) chownSync(path.join(dir, f), owner.uid, owner.gid);
  }
  let child: ChildProcess;
  const start = async () => {
    child = spawn(PGBOUNCER_BINARY!, [path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore', ...(owner ?? {}) });
    await waitForPort(options.port, child, logFile);
  };
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  await start();
  return {
    port: options.port,
    through(url) {
      const u = new URL(url);
      u.hostname = '127.0.0.1';
      u.port = String(options.port);
      return u.toString();
    },
    async restart(o = {}) {
      await kill('SIGKILL');
      if (o.downMs) await new Promise((r) => setTimeout(r, o.downMs));
      await start();
    },
    async stop() {
      await kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
    log: () => readLog(logFile),
  };
}
