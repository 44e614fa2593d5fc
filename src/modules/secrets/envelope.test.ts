import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../kernel/config.ts';
import { generateKey } from '../../kernel/crypto.ts';
import { AppError } from '../../kernel/errors.ts';
import { openValue, sealValue, unwrapDataKey, wrapDataKey } from './envelope.ts';

const WS_A = '01900000-0000-7000-8000-00000000000a';
const WS_B = '01900000-0000-7000-8000-00000000000b';

function masterKey() {
  return loadConfig({ ATRIUM_SECRET: 'x'.repeat(40), ATRIUM_MASTER_KEY: randomBytes(32).toString('base64') }, { loadDotenv: false }).masterKey;
}

test('a value opens only with its workspace, name and key version', () => {
  const key = generateKey();
  const sealed = sealValue(key, WS_A, 'TOKEN', 3, 'the value');
  assert.ok(!sealed.ciphertext.toString('utf8').includes('the value'));
  assert.equal(openValue(key, WS_A, 'TOKEN', 3, sealed), 'the value');
  assert.equal(openValue(key, WS_B, 'TOKEN', 3, sealed), null);
  assert.equal(openValue(key, WS_A, 'OTHER', 3, sealed), null);
  assert.equal(openValue(key, WS_A, 'TOKEN', 2, sealed), null);
  assert.equal(openValue(generateKey(), WS_A, 'TOKEN', 3, sealed), null);
  const tampered = { ...sealed, ciphertext: Buffer.from(sealed.ciphertext) };
  tampered.ciphertext[0] ^= 1;
  assert.equal(openValue(key, WS_A, 'TOKEN', 3, tampered), null);
});

test('a data key unwraps only under its master key, workspace and version', () => {
  const current = masterKey();
  const other = masterKey();
  const dataKey = generateKey();
  const wrapped = { ...wrapDataKey(current, WS_A, 1, dataKey), workspaceId: WS_A, version: 1, masterKeyId: current.id };
  assert.deepEqual(unwrapDataKey({ current, previous: undefined }, wrapped), dataKey);
  assert.deepEqual(unwrapDataKey({ current: other, previous: current }, wrapped), dataKey, 'the previous key still unwraps');
  const code = (fn: () => unknown) => {
    try {
      fn();
      return 'no error';
    } catch (err) {
      return err instanceof AppError ? err.code : String(err);
    }
  };
  assert.equal(code(() => unwrapDataKey({ current: other, previous: undefined }, wrapped)), 'MASTER_KEY_MISSING');
  assert.equal(code(() => unwrapDataKey({ current, previous: undefined }, { ...wrapped, workspaceId: WS_B })), 'SECRET_UNREADABLE');
  assert.equal(code(() => unwrapDataKey({ current, previous: undefined }, { ...wrapped, version: 2 })), 'SECRET_UNREADABLE');
});
