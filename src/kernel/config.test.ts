import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from './config.ts';

const base = { ATRIUM_SECRET: 'x'.repeat(40), ATRIUM_DATA_DIR: '.atrium/config-test' };

test('defaults: embedded database, port 3000, development', () => {
  const config = loadConfig({ ...base }, { loadDotenv: false });
  assert.equal(config.databaseUrl, undefined);
  assert.equal(config.port, 3000);
  assert.equal(config.isProduction, false);
  assert.equal(config.publicUrl, 'http://localhost:3000');
});

test('an invalid value stops the start with a message naming the variable', () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ DATABASE_URL: 'mysql://x' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'not a url' }, 'DATABASE_URL'],
    [{ ATRIUM_LOG_LEVEL: 'loud' }, 'ATRIUM_LOG_LEVEL'],
    [{ ATRIUM_SECRET: 'short' }, 'ATRIUM_SECRET'],
    [{ ATRIUM_ADMIN_EMAIL: 'nope' }, 'ATRIUM_ADMIN_EMAIL'],
    [{ ATRIUM_ADMIN_PASSWORD: 'short' }, 'ATRIUM_ADMIN_PASSWORD'],
    [{ SMTP_URL: 'http://mail' }, 'SMTP_URL'],
    [{ ATRIUM_TRUST_PROXY: 'everyone' }, 'ATRIUM_TRUST_PROXY'],
    [{ ATRIUM_DATABASE_POOLER: 'session' }, 'ATRIUM_DATABASE_POOLER'],
    [{ ATRIUM_DATABASE_POOLER: 'transaction' }, 'ATRIUM_DATABASE_POOLER'],
    [{ ATRIUM_DATABASE_POOLER: 'transaction', DATABASE_URL: 'postgres://u:p@pgbouncer:6432/atrium' }, 'DATABASE_DIRECT_URL'],
    [{ DATABASE_DIRECT_URL: 'http://db' }, 'DATABASE_DIRECT_URL'],
  ];
  for (const [env, variable] of cases) {
    assert.throws(() => loadConfig({ ...base, ...env }, { loadDotenv: false }), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, variable);
      assert.match(err.message, new RegExp(variable));
      return true;
    });
  }
});

test('production requires ATRIUM_SECRET', () => {
  assert.throws(() => loadConfig({ NODE_ENV: 'production', ATRIUM_DATA_DIR: '.atrium/config-test' }, { loadDotenv: false }), /ATRIUM_SECRET/);
});

test('DATABASE_URL switches to an external PostgreSQL', () => {
  const config = loadConfig({ ...base, DATABASE_URL: 'postgres://u:p@db.internal:5432/atrium', PORT: '8080' }, { loadDotenv: false });
  assert.equal(config.databaseUrl, 'postgres://u:p@db.internal:5432/atrium');
  assert.equal(config.port, 8080);
});

test('behind PgBouncer: the pooler mode and a direct URL for what a pooled connection cannot carry', () => {
  assert.deepEqual(loadConfig({ ...base }, { loadDotenv: false }).database, { pooler: 'none', directUrl: undefined });
  const config = loadConfig({ ...base, DATABASE_URL: 'postgres://u:p@pgbouncer:6432/atrium', DATABASE_DIRECT_URL: 'postgres://u:p@db:5432/atrium', ATRIUM_DATABASE_POOLER: 'transaction' }, { loadDotenv: false });
  assert.deepEqual(config.database, { pooler: 'transaction', directUrl: 'postgres://u:p@db:5432/atrium' });
});

test('X-Forwarded-For is not trusted unless ATRIUM_TRUST_PROXY says so', () => {
  assert.equal(loadConfig({ ...base }, { loadDotenv: false }).trustProxy, false);
  assert.equal(loadConfig({ ...base, ATRIUM_TRUST_PROXY: '1' }, { loadDotenv: false }).trustProxy, 1);
  assert.deepEqual(loadConfig({ ...base, ATRIUM_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }, { loadDotenv: false }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
});
