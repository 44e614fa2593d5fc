// The vault's master key in src/kernel/config.ts: required in production, validated, generated
// once in the embedded default, never serialized.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig, readMasterKeyFile } from '../../kernel/config.ts';

const SECRET = 'x'.repeat(40);

function withDir<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(path.join(tmpdir(), 'atrium-mk-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function assertConfigError(fn: () => unknown, variable: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ConfigError, String(err));
    assert.equal(err.variable, variable);
    assert.match(err.message, new RegExp(variable));
    return true;
  });
}

test('production without a master key fails config, naming ATRIUM_MASTER_KEY', () => withDir((dir) => {
  assertConfigError(() => loadConfig({ NODE_ENV: 'production', ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir }, { loadDotenv: false }), 'ATRIUM_MASTER_KEY');
  // Nothing was generated on the way.
  assert.throws(() => statSync(path.join(dir, 'master.key')));
}));

test('production with ATRIUM_MASTER_KEY or ATRIUM_MASTER_KEY_FILE starts', () => withDir((dir) => {
  const key = randomBytes(32);
  const fromEnv = loadConfig({ NODE_ENV: 'production', ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir, ATRIUM_MASTER_KEY: key.toString('base64') }, { loadDotenv: false });
  assert.equal(fromEnv.masterKey.source, 'env');
  assert.deepEqual(fromEnv.masterKey.key, key);
  assert.match(fromEnv.masterKey.id, /^[0-9a-f]{16}$/);
  const file = path.join(dir, 'key.b64');
  writeFileSync(file, key.toString('base64url') + '\n');
  const fromFile = loadConfig({ NODE_ENV: 'production', ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir, ATRIUM_MASTER_KEY_FILE: file }, { loadDotenv: false });
  assert.equal(fromFile.masterKey.source, 'file');
  assert.equal(fromFile.masterKey.id, fromEnv.masterKey.id, 'the id is a fingerprint of the key');
  assert.equal(readMasterKeyFile(file, '--previous-key-file').id, fromEnv.masterKey.id);
}));

test('a malformed or ambiguous master key is refused with the variable\'s name', () => withDir((dir) => {
  const base = { ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir };
  const good = randomBytes(32).toString('base64');
  const cases: Array<[Record<string, string>, string]> = [
    [{ ATRIUM_MASTER_KEY: 'not base64 at all' }, 'ATRIUM_MASTER_KEY'],
    [{ ATRIUM_MASTER_KEY: randomBytes(16).toString('base64') }, 'ATRIUM_MASTER_KEY'],
    [{ ATRIUM_MASTER_KEY: randomBytes(48).toString('base64') }, 'ATRIUM_MASTER_KEY'],
    [{ ATRIUM_MASTER_KEY: good, ATRIUM_MASTER_KEY_FILE: '/etc/hostname' }, 'ATRIUM_MASTER_KEY'],
    [{ ATRIUM_MASTER_KEY_FILE: path.join(dir, 'missing.key') }, 'ATRIUM_MASTER_KEY_FILE'],
    [{ ATRIUM_MASTER_KEY: good, ATRIUM_MASTER_KEY_PREVIOUS: 'short' }, 'ATRIUM_MASTER_KEY_PREVIOUS'],
    [{ ATRIUM_MASTER_KEY: good, ATRIUM_MASTER_KEY_PREVIOUS: good }, 'ATRIUM_MASTER_KEY_PREVIOUS'],
    [{ ATRIUM_MASTER_KEY: good, ATRIUM_MASTER_KEY_PREVIOUS_FILE: path.join(dir, 'nope') }, 'ATRIUM_MASTER_KEY_PREVIOUS_FILE'],
  ];
  for (const [env, variable] of cases) assertConfigError(() => loadConfig({ ...base, ...env }, { loadDotenv: false }), variable);
}));

test('embedded default: generated once into <dataDir>/master.key (0600), then read back', () => withDir((dir) => {
  const first = loadConfig({ ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir }, { loadDotenv: false });
  assert.equal(first.masterKey.source, 'generated');
  const file = path.join(dir, 'master.key');
  assert.equal(first.masterKey.file, file);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const second = loadConfig({ ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir }, { loadDotenv: false });
  assert.equal(second.masterKey.source, 'data-dir');
  assert.equal(second.masterKey.id, first.masterKey.id);
  assert.equal(second.previousMasterKey, undefined);
}));

test('the key bytes never appear when the config is serialized or inspected', () => withDir((dir) => {
  const key = randomBytes(32);
  const config = loadConfig({ ATRIUM_SECRET: SECRET, ATRIUM_DATA_DIR: dir, ATRIUM_MASTER_KEY: key.toString('base64'), ATRIUM_MASTER_KEY_PREVIOUS: randomBytes(32).toString('base64') }, { loadDotenv: false });
  for (const text of [JSON.stringify(config), inspect(config, { depth: 5 })]) {
    assert.ok(!text.includes(key.toString('base64')) && !text.includes(key.toString('hex')));
    assert.ok(!text.includes('Buffer'), text);
  }
  assert.ok(JSON.stringify(config).includes(config.masterKey.id));
}));
