#!/usr/bin/env node
// Entry point of the `atrium` command. Atrium runs its TypeScript sources directly with Node's
// type stripping (on by default from Node 23.6; behind a flag on 22.12–22.17).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  console.error(`atrium: Node.js ${process.versions.node} is too old; install Node.js 24 LTS (npm i -g --prefix /usr/local node@24)`);
  process.exit(1);
}
if (!process.features.typescript) {
  const result = spawnSync(process.execPath, ['--experimental-strip-types', '--no-warnings', ...process.argv.slice(1)], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
await import(fileURLToPath(new URL('../src/cli/main.ts', import.meta.url)));
