// One code, one meaning across the whole API (as Fastify keeps one FST_ERR_* namespace): a client
// branching on `code` must never get two statuses or two titles for the same code.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import '../../src/main.ts'; // every module, so every catalogue
import { definedErrorCatalogues } from '../../src/kernel/errors.ts';

test('every error code has one status and one title across every catalogue', () => {
  const meanings = new Map<string, Set<string>>();
  for (const catalogue of definedErrorCatalogues()) {
    for (const [code, spec] of Object.entries(catalogue)) {
      const set = meanings.get(code) ?? new Set<string>();
      set.add(`${spec.status} ${spec.title}`);
      meanings.set(code, set);
    }
  }
  assert.ok(meanings.size > 100, `${meanings.size} codes collected`);
  const ambiguous = [...meanings].filter(([, set]) => set.size > 1).map(([code, set]) => `${code}: ${[...set].join(' | ')}`);
  assert.deepEqual(ambiguous, []);
});

test('codes are stable identifiers: UPPER_SNAKE_CASE', () => {
  for (const catalogue of definedErrorCatalogues()) {
    for (const code of Object.keys(catalogue)) assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code);
  }
});
