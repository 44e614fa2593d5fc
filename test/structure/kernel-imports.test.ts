// The kernel knows no business module (shared/STYLE.md): what it needs from one (authorising a
// principal, a setting's shape) is a contract of the kernel, filled in by the module at the root.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const KERNEL = path.resolve(import.meta.dirname, '../../src/kernel');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

test('no file under src/kernel imports from src/modules', () => {
  const files = sources(KERNEL);
  assert.ok(files.length > 20);
  const offenders = files.flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    return [...text.matchAll(/(?:import|export)[^'"]*from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|import\s+['"]([^'"]+)['"]/g)]
      .map((m) => m[1] ?? m[2] ?? m[3])
      .filter((spec) => path.resolve(path.dirname(file), spec).startsWith(path.resolve(KERNEL, '../modules')))
      .map((spec) => `${path.relative(KERNEL, file)} → ${spec}`);
  });
  assert.deepEqual(offenders, []);
});
