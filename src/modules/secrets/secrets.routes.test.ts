// The vault through the real app: write-only values, metadata, permissions, workspace isolation,
// the additional data, and no plaintext anywhere (database, logs, audit diffs, error bodies, any
// response).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { LightMyRequestResponse } from 'fastify';
import { createAuditModule } from '../audit/index.ts';
import type { AuditEventInput, AuditModule } from '../audit/index.ts';
import { AppError } from '../../kernel/errors.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { bearer, capturingLogger, createTenant, newDatabase, newMasterKey, startVault } from './secrets.fixtures.ts';
import type { Tenant, Vault } from './secrets.fixtures.ts';
import { putSecret } from './put-secret.ts';
import { deleteSecret } from './delete-secret.ts';
import type { SecretsContext } from './secrets.context.ts';

/** Distinctive plaintexts: none may ever leave the vault except through resolve. */
const plain = (label: string) => `${label}-${randomBytes(12).toString('hex')}`;
const VALUE_A = plain('sk-a');
const VALUE_A2 = plain('sk-a2');
const VALUE_B = plain('sk-b');
const VALUE_KEY = plain('sk-key');
const VALUE_REJECTED = plain('sk-rejected');
const VALUE_DELETED = plain('sk-deleted');
const VALUE_AUDITED = plain('sk-audited');
const ALL_VALUES = [VALUE_A, VALUE_A2, VALUE_B, VALUE_KEY, VALUE_REJECTED, VALUE_DELETED, VALUE_AUDITED];

function codeOf(err: unknown): string {
  return err instanceof AppError ? err.code : String(err);
}

describe('secrets API', () => {
  let database: Awaited<ReturnType<typeof newDatabase>>;
  let vault: Vault;
  let dataDir: string;
  const logLines: string[] = [];
  const responses: string[] = [];
  let a: Tenant;
  let b: Tenant;

  async function call(tenant: Tenant, role: keyof Tenant['tokens'] | 'apiKey', method: 'GET' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse> {
    const token = role === 'apiKey' ? tenant.apiKey : tenant.tokens[role];
    const res = await vault.app.inject({ method, url: `/api/v1${url}`, headers: bearer(token), ...(payload ? { payload } : {}) });
    responses.push(JSON.stringify(res.headers) + res.body);
    return res;
  }

  before(async () => {
    database = await newDatabase();
    // A fresh data dir: the embedded default generates the master key here, with a warning.
    dataDir = mkdtempSync(path.join(tmpdir(), 'atrium-vault-'));
    vault = await startVault(database.url, { ATRIUM_DATA_DIR: dataDir }, capturingLogger(logLines));
    a = await createTenant(vault, `vault-a-${randomBytes(3).toString('hex')}`);
    b = await createTenant(vault, `vault-b-${randomBytes(3).toString('hex')}`);
  });

  after(async () => {
    await vault.stop();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('the embedded default generates the master key into <dataDir>/master.key (0600) and warns', () => {
    const file = path.join(dataDir, 'master.key');
    assert.equal(vault.config.masterKey.source, 'generated');
    assert.equal(vault.config.masterKey.file, file);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const warning = logLines.map((l) => JSON.parse(l) as { level: number; msg: string; file?: string }).find((l) => l.msg.includes('generated a new master key'));
    assert.ok(warning, 'a warning line about the generated master key');
    assert.equal(warning.level, 40);
    assert.equal(warning.file, file);
  });

  test('PUT creates (201) then replaces the value (200); responses carry metadata only', async () => {
    const created = await call(a, 'owner', 'PUT', '/secrets/OPENAI_API_KEY', { value: VALUE_A, description: 'LLM provider' });
    assert.equal(created.statusCode, 201, created.body);
    const body = created.json();
    assert.equal(body.name, 'OPENAI_API_KEY');
    assert.equal(body.fullName, `workspace/${a.slug}/OPENAI_API_KEY`);
    assert.equal(body.description, 'LLM provider');
    assert.equal(body.keyVersion, 1);
    assert.equal(body.createdBy, a.userIds.owner);
    assert.equal(body.lastUsedAt, null);
    assert.deepEqual(Object.keys(body).sort(), ['createdAt', 'createdBy', 'description', 'fullName', 'id', 'keyVersion', 'lastUsedAt', 'name', 'updatedAt', 'updatedBy']);

    const updated = await call(a, 'admin', 'PUT', '/secrets/OPENAI_API_KEY', { value: VALUE_A2 });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().id, body.id);
    assert.equal(updated.json().description, 'LLM provider', 'an omitted description is kept');
    assert.equal(updated.json().updatedBy, a.userIds.admin);
    assert.equal(updated.json().createdBy, a.userIds.owner);

    const viaKey = await call(a, 'apiKey', 'PUT', '/secrets/stripe.secret-key', { value: VALUE_KEY });
    assert.equal(viaKey.statusCode, 201, viaKey.body);
    assert.equal(viaKey.json().createdBy, null);
  });

  test('GET lists and reads metadata, by name, with pagination', async () => {
    const list = await call(a, 'member', 'GET', '/secrets');
    assert.equal(list.statusCode, 200, list.body);
    assert.deepEqual(list.json().data.map((s: { name: string }) => s.name), ['OPENAI_API_KEY', 'stripe.secret-key']);
    const page1 = await call(a, 'owner', 'GET', '/secrets?limit=1');
    assert.equal(page1.json().nextCursor, 'OPENAI_API_KEY');
    const page2 = await call(a, 'owner', 'GET', `/secrets?limit=1&cursor=${page1.json().nextCursor}`);
    assert.deepEqual(page2.json().data.map((s: { name: string }) => s.name), ['stripe.secret-key']);
    const one = await call(a, 'member', 'GET', '/secrets/OPENAI_API_KEY');
    assert.equal(one.statusCode, 200);
    assert.equal(one.json().fullName, `workspace/${a.slug}/OPENAI_API_KEY`);
    const missing = await call(a, 'owner', 'GET', '/secrets/NOPE');
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'SECRET_NOT_FOUND');
  });

  test('permissions: members read, viewers see nothing, only owner/admin (or an admin key) write', async () => {
    assert.equal((await call(a, 'viewer', 'GET', '/secrets')).statusCode, 403);
    assert.equal((await call(a, 'viewer', 'GET', '/secrets/OPENAI_API_KEY')).statusCode, 403);
    const byMember = await call(a, 'member', 'PUT', '/secrets/OPENAI_API_KEY', { value: VALUE_REJECTED });
    assert.equal(byMember.statusCode, 403);
    assert.equal((await call(a, 'member', 'DELETE', '/secrets/OPENAI_API_KEY')).statusCode, 403);
    // The refused write changed nothing.
    const value = await vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolve(tx, a.workspaceId, 'OPENAI_API_KEY'));
    assert.equal(value, VALUE_A2);
  });

  test('invalid input is a 400 that never echoes the value', async () => {
    const cases: Array<[string, object]> = [
      ['/secrets/has%20space', { value: VALUE_REJECTED }],
      ['/secrets/-leading-dash', { value: VALUE_REJECTED }],
      ['/secrets/bad:colon', { value: VALUE_REJECTED }],
      ['/secrets/OK_NAME', { value: '' }],
      ['/secrets/OK_NAME', { value: VALUE_REJECTED, extra: VALUE_REJECTED }],
      ['/secrets/OK_NAME', { value: VALUE_REJECTED, description: 'd'.repeat(501) }],
      ['/secrets/OK_NAME', { value: 'v'.repeat(65537) }],
    ];
    for (const [url, payload] of cases) {
      const res = await call(a, 'owner', 'PUT', url, payload);
      assert.equal(res.statusCode, 400, `${url}: ${res.body.slice(0, 200)}`);
      assert.equal(res.json().code, 'VALIDATION_FAILED');
    }
    assert.equal((await call(a, 'owner', 'GET', '/secrets/OK_NAME')).statusCode, 404, 'nothing was written');
  });

  test('resolve returns the value on the server, accepts the full name, and marks the secret used', async () => {
    const [byName, byFullName] = await vault.db.withWorkspace(a.workspaceId, async (tx) => [
      await vault.secrets.resolve(tx, a.workspaceId, 'stripe.secret-key'),
      await vault.secrets.resolve(tx, a.workspaceId, `workspace/${a.slug}/OPENAI_API_KEY`),
    ]);
    assert.equal(byName, VALUE_KEY);
    assert.equal(byFullName, VALUE_A2);
    const meta = (await call(a, 'owner', 'GET', '/secrets/OPENAI_API_KEY')).json();
    assert.ok(meta.lastUsedAt !== null && Date.parse(meta.lastUsedAt) >= Date.parse(meta.updatedAt));
    const id = meta.id as string;
    const byId = await vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolveById(tx, a.workspaceId, id));
    assert.equal(byId, VALUE_A2);
  });

  test('workspace B can neither read nor use A\'s secret, by name, full name or id', async () => {
    const aId = (await call(a, 'owner', 'GET', '/secrets/OPENAI_API_KEY')).json().id as string;
    for (const role of ['owner', 'admin', 'member', 'apiKey'] as const) {
      const got = await call(b, role, 'GET', '/secrets/OPENAI_API_KEY');
      assert.equal(got.statusCode, 404, `${role}: ${got.body}`);
      assert.equal((await call(b, role, 'GET', `/secrets/${aId}`)).statusCode, 404);
    }
    assert.equal((await call(b, 'owner', 'DELETE', '/secrets/OPENAI_API_KEY')).statusCode, 404);
    const listB = await call(b, 'owner', 'GET', '/secrets');
    assert.deepEqual(listB.json().data, []);
    assert.ok(!listB.body.includes(aId));

    const resolveInB = (ref: { name: string } | { id: string }, workspaceId = b.workspaceId) =>
      vault.db.withWorkspace(b.workspaceId, (tx) => ('id' in ref ? vault.secrets.resolveById(tx, workspaceId, ref.id) : vault.secrets.resolve(tx, workspaceId, ref.name)));
    for (const ref of [{ name: 'OPENAI_API_KEY' }, { name: `workspace/${a.slug}/OPENAI_API_KEY` }, { id: aId }]) {
      await assert.rejects(resolveInB(ref), (err) => codeOf(err) === 'SECRET_NOT_FOUND', JSON.stringify(ref));
      // Naming A's workspace from B's transaction finds nothing either (RLS).
      await assert.rejects(resolveInB(ref, a.workspaceId), (err) => codeOf(err) === 'SECRET_NOT_FOUND', JSON.stringify(ref));
    }

    // B writing the same name makes B's own secret; A's is untouched.
    const own = await call(b, 'owner', 'PUT', '/secrets/OPENAI_API_KEY', { value: VALUE_B });
    assert.equal(own.statusCode, 201);
    assert.equal(own.json().fullName, `workspace/${b.slug}/OPENAI_API_KEY`);
    assert.equal(await resolveInB({ name: 'OPENAI_API_KEY' }), VALUE_B);
    assert.equal(await vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolve(tx, a.workspaceId, 'OPENAI_API_KEY')), VALUE_A2);
  });

  test('a ciphertext copied into another workspace\'s row, or onto another name, does not decrypt', async () => {
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    try {
      await owner.query(`insert into secrets (workspace_id, name, ciphertext, iv, auth_tag, key_version)
        select $2, 'STOLEN', ciphertext, iv, auth_tag, 1 from secrets where workspace_id = $1 and name = 'OPENAI_API_KEY'`, [a.workspaceId, b.workspaceId]);
      // Same name in B, A's ciphertext: the workspace in the additional data differs.
      await owner.query(`update secrets t set ciphertext = s.ciphertext, iv = s.iv, auth_tag = s.auth_tag
        from secrets s where s.workspace_id = $1 and s.name = 'OPENAI_API_KEY' and t.workspace_id = $2 and t.name = 'OPENAI_API_KEY'`, [a.workspaceId, b.workspaceId]);
      // Within A, a value moved onto another name.
      await owner.query(`insert into secrets (workspace_id, name, ciphertext, iv, auth_tag, key_version)
        select workspace_id, 'RENAMED', ciphertext, iv, auth_tag, key_version from secrets where workspace_id = $1 and name = 'OPENAI_API_KEY'`, [a.workspaceId]);
    } finally {
      await owner.end();
    }
    const unreadable = (err: unknown) => codeOf(err) === 'SECRET_UNREADABLE';
    await assert.rejects(vault.db.withWorkspace(b.workspaceId, (tx) => vault.secrets.resolve(tx, b.workspaceId, 'STOLEN')), unreadable);
    await assert.rejects(vault.db.withWorkspace(b.workspaceId, (tx) => vault.secrets.resolve(tx, b.workspaceId, 'OPENAI_API_KEY')), unreadable);
    await assert.rejects(vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolve(tx, a.workspaceId, 'RENAMED')), unreadable);
    // The original still decrypts.
    assert.equal(await vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolve(tx, a.workspaceId, 'OPENAI_API_KEY')), VALUE_A2);
    const logged = logLines.filter((l) => l.includes('does not decrypt under its workspace'));
    assert.equal(logged.length, 3);
  });

  test('DELETE removes the secret (204); it is then gone for reads and resolve', async () => {
    assert.equal((await call(a, 'owner', 'PUT', '/secrets/TO_DELETE', { value: VALUE_DELETED })).statusCode, 201);
    const del = await call(a, 'admin', 'DELETE', '/secrets/TO_DELETE');
    assert.equal(del.statusCode, 204);
    assert.equal((await call(a, 'owner', 'GET', '/secrets/TO_DELETE')).statusCode, 404);
    assert.equal((await call(a, 'owner', 'DELETE', '/secrets/TO_DELETE')).statusCode, 404);
    await assert.rejects(vault.db.withWorkspace(a.workspaceId, (tx) => vault.secrets.resolve(tx, a.workspaceId, 'TO_DELETE')), (err) => codeOf(err) === 'SECRET_NOT_FOUND');
  });

  test('the platform\'s audit trail holds the secret events, with their actor and without values', async () => {
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    try {
      const { rows } = await owner.query<{ action: string; actor_type: string; actor_id: string | null; diff: unknown }>(
        `select action, actor_type, actor_id, diff from audit_events where workspace_id = $1 and target_type = 'secret' order by id`, [a.workspaceId]);
      assert.deepEqual(rows.map((r) => r.action), ['secret.created', 'secret.updated', 'secret.created', 'secret.created', 'secret.deleted']);
      assert.deepEqual(rows.slice(0, 2).map((r) => [r.actor_type, r.actor_id]), [['user', a.userIds.owner], ['user', a.userIds.admin]]);
      assert.equal(rows[2].actor_type, 'api_key');
      const text = JSON.stringify(rows);
      for (const value of ALL_VALUES) assert.ok(!text.includes(value));
    } finally {
      await owner.end();
    }
  });

  test('audit events secret.created|updated|deleted, in the same transaction, never hold the value', async () => {
    const events: AuditEventInput[] = [];
    const real = createAuditModule({ config: vault.config, db: vault.db, log: capturingLogger([]) });
    const audit: AuditModule = { ...real, async record(tx, context, event) { events.push(event); await real.record(tx, context, event); } };
    const ctx: SecretsContext = { db: vault.db, log: capturingLogger(logLines), keyring: { current: vault.config.masterKey, previous: undefined }, audit, tenancy: vault.tenancy };
    const principal: Principal = { kind: 'user', userId: a.userIds.owner, apiKeyId: null, workspaceId: a.workspaceId, role: 'owner', sessionId: null, isPlatformAdmin: false };
    const context = { actor: { type: 'user' as const, id: a.userIds.owner } };
    const { secret } = await putSecret(ctx, principal, context, 'AUDITED', { value: VALUE_AUDITED, description: 'audited' });
    await putSecret(ctx, principal, context, 'AUDITED', { value: VALUE_AUDITED + '-2' });
    await deleteSecret(ctx, principal, context, 'AUDITED');
    assert.deepEqual(events.map((e) => [e.action, e.targetType, e.targetId, e.workspaceId]), [
      ['secret.created', 'secret', secret.id, a.workspaceId],
      ['secret.updated', 'secret', secret.id, a.workspaceId],
      ['secret.deleted', 'secret', secret.id, a.workspaceId],
    ]);
    assert.deepEqual(events[1].diff, { before: { description: 'audited', keyVersion: 1 }, after: { description: 'audited', keyVersion: 1, valueReplaced: true } });
    const serialized = JSON.stringify(events);
    for (const value of ALL_VALUES) assert.ok(!serialized.includes(value), 'an audit diff holds a value');

    // A failed write records nothing: the event is in the change's transaction.
    const failing: AuditModule = { ...real, async record() { throw new Error('audit store down'); } };
    await assert.rejects(putSecret({ ...ctx, audit: failing }, principal, context, 'NOT_KEPT', { value: VALUE_AUDITED }), /audit store down/);
    assert.equal((await call(a, 'owner', 'GET', '/secrets/NOT_KEPT')).statusCode, 404);
  });

  test('no plaintext value in any column of any table, in the logs, or in any response', async () => {
    const owner = new pg.Client({ connectionString: database.url });
    await owner.connect();
    const hits: string[] = [];
    let scanned = 0;
    try {
      const { rows: columns } = await owner.query<{ table_name: string; column_name: string; data_type: string }>(
        `select c.table_name, c.column_name, c.data_type from information_schema.columns c
         join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
         where c.table_schema = 'public' and t.table_type = 'BASE TABLE' order by 1, 2`);
      assert.ok(columns.some((c) => c.table_name === 'secrets' && c.column_name === 'ciphertext'));
      const { rows: [{ n }] } = await owner.query<{ n: number }>(`select count(*)::int as n from secrets`);
      assert.ok(n >= 4, 'the scan runs over stored secrets');
      for (const value of ALL_VALUES) {
        const forms = [value, Buffer.from(value).toString('hex'), Buffer.from(value).toString('base64').replace(/=+$/, '')];
        for (const c of columns) {
          const column = `"${c.table_name}"."${c.column_name}"`;
          // A bytea column reads as `\x<hex>`: the hex form catches a value stored as raw bytes.
          const { rows } = await owner.query<{ n: number }>(
            `select count(*)::int as n from "${c.table_name}" where ${forms.map((_, i) => `${column}::text like '%' || $${i + 1} || '%'`).join(' or ')}`, forms);
          scanned++;
          if (rows[0].n > 0) hits.push(`${column} holds ${value}`);
        }
      }
    } finally {
      await owner.end();
    }
    assert.ok(scanned > 50);
    assert.deepEqual(hits, []);

    assert.ok(logLines.length > 20, 'the platform logged');
    assert.ok(responses.length > 30);
    for (const value of ALL_VALUES) {
      assert.ok(!logLines.some((l) => l.includes(value)), `a log line holds ${value}`);
      assert.ok(!responses.some((r) => r.includes(value)), `a response holds ${value}`);
    }
  });

  test('the OpenAPI document has no readable value: secrets are write-only', async () => {
    const doc = (await vault.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const put = doc.paths['/api/v1/secrets/{name}'].put;
    for (const status of ['200', '201']) {
      const schema = put.responses[status].content['application/json'].schema;
      assert.equal(schema.properties.value, undefined);
    }
    assert.equal(put.requestBody.content['application/json'].schema.properties.value.writeOnly, true);
  });
});

describe('master key of another installation', () => {
  test('a platform with another master key cannot read the values (and says which key is missing)', async () => {
    const database = await newDatabase();
    const first = await startVault(database.url, { ATRIUM_MASTER_KEY: newMasterKey() });
    let second: Vault | undefined;
    try {
      const t = await createTenant(first, `vault-k-${randomBytes(3).toString('hex')}`);
      const res = await first.app.inject({ method: 'PUT', url: '/api/v1/secrets/K', headers: bearer(t.tokens.owner), payload: { value: 'v-123456' } });
      assert.equal(res.statusCode, 201);
      second = await startVault(database.url, { ATRIUM_MASTER_KEY: newMasterKey() });
      await assert.rejects(second.db.withWorkspace(t.workspaceId, (tx) => second!.secrets.resolve(tx, t.workspaceId, 'K')), (err) => {
        assert.equal(codeOf(err), 'MASTER_KEY_MISSING');
        assert.match((err as Error).message, new RegExp(first.config.masterKey.id));
        return true;
      });
      // Over HTTP a write under an unknown master key is a 500 problem that reveals nothing.
      const refused = await second.app.inject({ method: 'PUT', url: '/api/v1/secrets/K', headers: bearer(t.tokens.owner), payload: { value: 'v-654321' } });
      assert.equal(refused.statusCode, 500);
      assert.equal(refused.json().code, 'MASTER_KEY_MISSING');
      assert.ok(!refused.body.includes('v-654321'));
    } finally {
      await second?.stop();
      await first.stop();
      await database.drop();
    }
  });
});
