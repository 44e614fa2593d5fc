// The console is built at install (postinstall) and rebuilt at start when its sources are
// newer than the build, so `npm install && npm start` is enough.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'dist' || entry.name === 'node_modules') continue;
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

export async function buildConsoleIfStale(): Promise<void> {
  const consoleDir = path.join(ROOT, 'console');
  const index = path.join(consoleDir, 'dist', 'index.html');
  if (!existsSync(path.join(consoleDir, 'index.html'))) return;
  if (existsSync(index) && statSync(index).mtimeMs >= newestMtime(consoleDir)) return;
  const vite = path.join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  if (!existsSync(vite)) return;
  process.stderr.write('  Building the console…\n');
  const result = spawnSync(process.execPath, [vite, 'build', 'console', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit' });
  if (result.status !== 0) throw new Error('the console build failed (see above)');
}
