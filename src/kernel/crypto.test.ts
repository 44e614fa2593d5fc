import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decrypt, deriveKey, encrypt, keyedHash } from './crypto.ts';

const key = deriveKey('a-root-secret-of-at-least-32-characters', 'atrium:test:v1');

test('encrypt then decrypt with the same additional data returns the plaintext', () => {
  const sealed = encrypt(key, 'JBSWY3DPEHPK3PXP', 'user-1');
  assert.match(sealed, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
  assert.ok(!sealed.includes('JBSWY3DPEHPK3PXP'));
  assert.equal(decrypt(key, sealed, 'user-1'), 'JBSWY3DPEHPK3PXP');
});

test('two encryptions of one value differ (random IV)', () => {
  assert.notEqual(encrypt(key, 'same', 'u'), encrypt(key, 'same', 'u'));
});

test('other additional data, another key, a tampered or malformed value: null', () => {
  const sealed = encrypt(key, 'secret', 'user-1');
  assert.equal(decrypt(key, sealed, 'user-2'), null);
  assert.equal(decrypt(deriveKey('a-root-secret-of-at-least-32-characters', 'other'), sealed, 'user-1'), null);
  const parts = sealed.split('.');
  const body = Buffer.from(parts[2], 'base64url');
  body[0] ^= 1;
  assert.equal(decrypt(key, [parts[0], parts[1], body.toString('base64url'), parts[3]].join('.'), 'user-1'), null);
  assert.equal(decrypt(key, 'not-sealed', 'user-1'), null);
  assert.equal(decrypt(key, 'v2.a.b.c', 'user-1'), null);
});

test('derived keys differ by purpose and keyed hashes by key', () => {
  const other = deriveKey('a-root-secret-of-at-least-32-characters', 'atrium:other:v1');
  assert.notDeepEqual(key, other);
  assert.equal(keyedHash(key, 'abc'), keyedHash(key, 'abc'));
  assert.notEqual(keyedHash(key, 'abc'), keyedHash(other, 'abc'));
});
