// Rotation: data keys re-wrapped under the new master key, old values still resolve, values move
// to the new data key lazily (resolve or write), and old versions go once nothing uses them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { AppError } from '../../kernel/errors.ts';
import { bearer, createTenant, newDatabase, newMasterKey, startVault } from './secrets.fixtures.ts';
import type { Tenant, Vault } from './secrets.fixtures.ts';

const SYSTEM = { actor: { type: 'system' as const, id: null } };

describe('master key rotation', () => {
  let database: Awaited<ReturnType<typeof newDatabase>>;
  let owner: pg.Client;
  const k1 = newMasterKey();
  const k2 = newMasterKey();
  let a: Tenant;
  let b: Tenant;
  let empty: Tenant;
  let k1Id: string;
  let k2Id: string;
  const started: Vault[] = [];

  async function vaultWith(env: Record<string, string>): Promise<Vault> {
    const vault = await startVault(database.url, env);
    started.push(vault);
    return vault;
  }

  async function dataKeys(workspaceId: string): Promise<Array<{ version: number; master_key_id: string }>> {
    const { rows } = await owner.query<{ version: number; master_key_id: string }>(
      `select version, master_key_id from secret_data_keys where workspace_id = $1 order by version`, [workspaceId]);
    return rows;
  }

  async function versions(workspaceId: string): Promise<Record<string, number>> {
    const { rows } = await owner.query<{ name: string; key_version: number }>(`select name, key_version from secrets where workspace_id = $1`, [workspaceId]);
    return Object.fromEntries(rows.map((r) => [r.name, r.key_version]));
  }

  function resolveIn(vault: Vault, t: Tenant, name: string): Promise<string> {
    return vault.db.withWorkspace(t.workspaceId, (tx) => vault.secrets.resolve(tx, t.workspaceId, name));
  }

  async function put(vault: Vault, t: Tenant, name: string, value: string): Promise<void> {
    const res = await vault.app.inject({ method: 'PUT', url: `/api/v1/secrets/${name}`, headers: bearer(t.tokens.owner), payload: { value } });
    assert.ok(res.statusCode === 200 || res.statusCode === 201, res.body);
  }

  before(async () => {
    database = await newDatabase();
    owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    const v1 = await vaultWith({ ATRIUM_MASTER_KEY: k1 });
    k1Id = v1.config.masterKey.id;
    a = await createTenant(v1, `rot-a-${randomBytes(3).toString('hex')}`);
    b = await createTenant(v1, `rot-b-${randomBytes(3).toString('hex')}`);
    empty = await createTenant(v1, `rot-e-${randomBytes(3).toString('hex')}`);
    await put(v1, a, 'ONE', 'value-one');
    await put(v1, a, 'TWO', 'value-two');
    await put(v1, b, 'ONE', 'value-b');
    // A workspace whose only secret is gone keeps its data key.
    await put(v1, empty, 'GONE', 'value-gone');
    const del = await v1.app.inject({ method: 'DELETE', url: '/api/v1/secrets/GONE', headers: bearer(empty.tokens.owner) });
    assert.equal(del.statusCode, 204);
  });

  after(async () => {
    for (const v of started.reverse()) await v.stop();
    await owner.end();
    await database.drop();
  });

  test('without the old key, rotation refuses before changing anything', async () => {
    const v = await vaultWith({ ATRIUM_MASTER_KEY: k2 });
    k2Id = v.config.masterKey.id;
    await assert.rejects(v.secrets.rotateMasterKey(SYSTEM), (err) => {
      assert.ok(err instanceof AppError);
      assert.equal(err.code, 'MASTER_KEY_MISSING');
      assert.match(err.message, new RegExp(`${k1Id} \\(3 data keys\\)`));
      assert.match(err.message, /ATRIUM_MASTER_KEY_PREVIOUS/);
      return true;
    });
    assert.deepEqual(await dataKeys(a.workspaceId), [{ version: 1, master_key_id: k1Id }]);
  });

  test('rotation re-wraps every data key under the new master key and adds a version', async () => {
    const v = await vaultWith({ ATRIUM_MASTER_KEY: k2, ATRIUM_MASTER_KEY_PREVIOUS: k1 });
    const progress: string[] = [];
    const summary = await v.secrets.rotateMasterKey(SYSTEM, (w) => progress.push(w.slug));
    assert.equal(summary.masterKeyId, k2Id);
    assert.equal(summary.previousMasterKeyId, k1Id);
    assert.deepEqual(progress.sort(), [a.slug, b.slug, empty.slug].sort());
    assert.equal(summary.dataKeysRewrapped, 3);
    assert.equal(summary.dataKeysCreated, 3);
    // The empty workspace's old version had no value left: deleted at once.
    assert.equal(summary.dataKeysDeleted, 1);
    assert.equal(summary.secretsPendingReencryption, 3);
    const ofA = summary.workspaces.find((w) => w.workspaceId === a.workspaceId)!;
    assert.deepEqual({ ...ofA, slug: undefined }, { workspaceId: a.workspaceId, slug: undefined, rewrapped: 1, newVersion: 2, deletedVersions: [], pendingReencryption: 2 });

    assert.deepEqual(await dataKeys(a.workspaceId), [{ version: 1, master_key_id: k2Id }, { version: 2, master_key_id: k2Id }]);
    assert.deepEqual(await dataKeys(empty.workspaceId), [{ version: 2, master_key_id: k2Id }]);
    const { rows } = await owner.query<{ n: number }>(`select count(*)::int as n from secret_data_keys where master_key_id <> $1`, [k2Id]);
    assert.equal(rows[0].n, 0);

    // One audit event per rotated workspace, by the system actor.
    const audited = await owner.query<{ workspace_id: string; actor_type: string }>(`select workspace_id, actor_type from audit_events where action = 'secret_key.rotated'`);
    assert.deepEqual(audited.rows.map((r) => r.workspace_id).sort(), [a.workspaceId, b.workspaceId, empty.workspaceId].sort());
    assert.ok(audited.rows.every((r) => r.actor_type === 'system'));

    // Running it again finds nothing to do.
    const again = await v.secrets.rotateMasterKey(SYSTEM);
    assert.deepEqual(again.workspaces, []);
  });

  test('the old master key alone no longer opens anything', async () => {
    const old = await vaultWith({ ATRIUM_MASTER_KEY: k1 });
    await assert.rejects(resolveIn(old, a, 'ONE'), (err) => err instanceof AppError && err.code === 'MASTER_KEY_MISSING');
  });

  test('with only the new key, old values resolve and are re-encrypted lazily; unused versions go', async () => {
    const v = await vaultWith({ ATRIUM_MASTER_KEY: k2 });
    assert.deepEqual(await versions(a.workspaceId), { ONE: 1, TWO: 1 });
    const before = await owner.query<{ ciphertext: Buffer; updated_at: Date }>(`select ciphertext, updated_at from secrets where workspace_id = $1 and name = 'ONE'`, [a.workspaceId]);

    assert.equal(await resolveIn(v, a, 'ONE'), 'value-one');
    assert.deepEqual(await versions(a.workspaceId), { ONE: 2, TWO: 1 });
    const afterRow = await owner.query<{ ciphertext: Buffer; updated_at: Date }>(`select ciphertext, updated_at from secrets where workspace_id = $1 and name = 'ONE'`, [a.workspaceId]);
    assert.notDeepEqual(afterRow.rows[0].ciphertext, before.rows[0].ciphertext);
    assert.equal(afterRow.rows[0].updated_at.toISOString(), before.rows[0].updated_at.toISOString(), 're-encryption is not an update of the value');
    assert.deepEqual((await dataKeys(a.workspaceId)).map((k) => k.version), [1, 2], 'version 1 is still used by TWO');
    assert.equal(await resolveIn(v, a, 'ONE'), 'value-one', 'the re-encrypted value resolves');

    assert.equal(await resolveIn(v, a, 'TWO'), 'value-two');
    assert.deepEqual(await versions(a.workspaceId), { ONE: 2, TWO: 2 });
    assert.deepEqual((await dataKeys(a.workspaceId)).map((k) => k.version), [2], 'version 1 deleted once unused');

    // In B, a write (not a read) moves the value to the new version.
    await put(v, b, 'ONE', 'value-b-new');
    assert.deepEqual(await versions(b.workspaceId), { ONE: 2 });
    assert.deepEqual((await dataKeys(b.workspaceId)).map((k) => k.version), [2]);
    assert.equal(await resolveIn(v, b, 'ONE'), 'value-b-new');

    const { rows } = await owner.query<{ n: number }>(`select count(*)::int as n from secrets s where key_version < (select max(version) from secret_data_keys d where d.workspace_id = s.workspace_id)`);
    assert.equal(rows[0].n, 0);
  });

  test('a data key in use cannot be deleted (foreign key)', async () => {
    await assert.rejects(owner.query(`delete from secret_data_keys where workspace_id = $1`, [a.workspaceId]), /foreign key/);
  });
});
