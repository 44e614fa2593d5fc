import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import type { MasterKey } from '../../kernel/config.ts';
import { fingerprinter, leakTokens, valueFingerprints } from './fingerprints.ts';

const master = (id: string): MasterKey => ({ id, key: randomBytes(32), source: 'env', file: null } as unknown as MasterKey);

test('a value written into code (quoted, escaped, in a template, in a URL) yields its own tokens', () => {
  const value = 'sk-live_9f8e7d6c5b4a3210';
  for (const text of [JSON.stringify({ authorization: `Bearer ${value}` }), `const k = \`\${base}?key=${value}&x=1\`;`, `"a\\"${value}\\"b"`, `'${value}'`]) {
    assert.ok(leakTokens(text).includes(value), text);
  }
  // A value of several tokens: each significant token is kept; the short one is not.
  assert.deepEqual(leakTokens('user:Pa55word-2024 x'), ['Pa55word-2024']);
});

test('tokens too short or word-like are not fingerprinted (no oracle for ordinary text)', () => {
  assert.deepEqual(leakTokens('authorization Content-Type application json 123456789'), ['Content-Type']);
  assert.deepEqual(leakTokens('abcdefghijklmnopqrstuvwxyz'), ['abcdefghijklmnopqrstuvwxyz'], 'a long run of letters is kept');
  assert.deepEqual(leakTokens('x'.repeat(5000)), [], 'over 4,096 characters is not a value');
});

test('fingerprints are keyed: another master key gives others; the same key the same', () => {
  const a = fingerprinter(master('a'));
  const b = fingerprinter(master('b'));
  const value = 'rk_live_51OtherClient9f8e7d6c5b';
  assert.deepEqual(valueFingerprints(a, value), valueFingerprints(a, value));
  assert.notDeepEqual(valueFingerprints(a, value), valueFingerprints(b, value));
  assert.equal(valueFingerprints(a, value)[0].length, 32);
  assert.deepEqual(valueFingerprints(a, 'short'), []);
});
