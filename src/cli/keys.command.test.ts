// `atrium keys rotate`, spawned for real against a test database seeded through the app.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TEST_SECRET } from '../../test/helpers/constants.ts';
import { bearer, createTenant, newDatabase, newMasterKey, startVault } from '../modules/secrets/secrets.fixtures.ts';
import type { Tenant } from '../modules/secrets/secrets.fixtures.ts';

const BIN = path.resolve(import.meta.dirname, '../../bin/atrium.mjs');

type Run = { code: number; stdout: string; stderr: string };

describe('atrium keys rotate', () => {
  let database: Awaited<ReturnType<typeof newDatabase>>;
  let cwd: string;
  let tenant: Tenant;
  const k1 = newMasterKey();
  const k2 = newMasterKey();
  const k3 = newMasterKey();

  function atrium(args: string[], env: Record<string, string>): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [BIN, ...args], {
        cwd,
        env: { PATH: process.env.PATH ?? '', DATABASE_URL: database.url, ATRIUM_SECRET: TEST_SECRET, ATRIUM_DATA_DIR: path.join(cwd, 'data'), ...env },
      }, (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  async function resolveWith(env: Record<string, string>): Promise<string> {
    const vault = await startVault(database.url, env);
    try {
      return await vault.db.withWorkspace(tenant.workspaceId, (tx) => vault.secrets.resolve(tx, tenant.workspaceId, 'API_TOKEN'));
    } finally {
      await vault.stop();
    }
  }

  before(async () => {
    database = await newDatabase();
    cwd = mkdtempSync(path.join(tmpdir(), 'atrium-keys-'));
    const vault = await startVault(database.url, { ATRIUM_MASTER_KEY: k1 });
    try {
      tenant = await createTenant(vault, `keys-${randomBytes(3).toString('hex')}`);
      const res = await vault.app.inject({ method: 'PUT', url: '/api/v1/secrets/API_TOKEN', headers: bearer(tenant.tokens.owner), payload: { value: 'token-value-1' } });
      assert.equal(res.statusCode, 201, res.body);
    } finally {
      await vault.stop();
    }
  });

  after(async () => {
    await database.drop();
    rmSync(cwd, { recursive: true, force: true });
  });

  test('without the old key: one-line error naming the key and how to give it; nothing changes', async () => {
    const run = await atrium(['keys', 'rotate'], { ATRIUM_MASTER_KEY: k2 });
    assert.equal(run.code, 1, run.stderr);
    const lines = run.stderr.trimEnd().split('\n');
    assert.equal(lines.length, 1, run.stderr);
    assert.match(lines[0], /^atrium: data keys are wrapped by master key [0-9a-f]{16} \(1 data key\).*ATRIUM_MASTER_KEY_PREVIOUS/);
    assert.equal(await resolveWith({ ATRIUM_MASTER_KEY: k1 }), 'token-value-1');
  });

  test('with ATRIUM_MASTER_KEY_PREVIOUS: progress per workspace and a --json summary', async () => {
    const run = await atrium(['keys', 'rotate', '--json'], { ATRIUM_MASTER_KEY: k2, ATRIUM_MASTER_KEY_PREVIOUS: k1 });
    assert.equal(run.code, 0, run.stderr);
    const summary = JSON.parse(run.stdout);
    assert.equal(summary.dataKeysRewrapped, 1);
    assert.equal(summary.dataKeysCreated, 1);
    assert.equal(summary.secretsPendingReencryption, 1);
    assert.equal(summary.workspaces[0].slug, tenant.slug);
    assert.match(run.stderr, new RegExp(`${tenant.slug} \\(${tenant.workspaceId}\\): 1 data key re-wrapped, new data key version 2, 1 value to re-encrypt lazily`));
    assert.ok(!run.stderr.includes(k1) && !run.stderr.includes(k2) && !run.stdout.includes(k2));
    // The value resolves with the new key alone.
    assert.equal(await resolveWith({ ATRIUM_MASTER_KEY: k2 }), 'token-value-1');

    const again = await atrium(['keys', 'rotate'], { ATRIUM_MASTER_KEY: k2 });
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /Nothing to rotate: every data key is already wrapped by master key [0-9a-f]{16}\./);
  });

  test('--previous-key-file gives the old key from a file', async () => {
    const file = path.join(cwd, 'previous.key');
    writeFileSync(file, k2 + '\n', { mode: 0o600 });
    const run = await atrium(['keys', 'rotate', '--previous-key-file', file], { ATRIUM_MASTER_KEY: k3 });
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /Done: 1 workspace, 1 data key re-wrapped, 1 created, 0 deleted\.\nValues still under an old data key: 1 \(re-encrypted on their next write or use\)\./);
    assert.equal(await resolveWith({ ATRIUM_MASTER_KEY: k3 }), 'token-value-1');

    const same = await atrium(['keys', 'rotate', '--previous-key-file', file], { ATRIUM_MASTER_KEY: k2 });
    assert.equal(same.code, 1);
    assert.match(same.stderr, /^atrium: .*--previous-key-file holds the current master key/);
  });
});
