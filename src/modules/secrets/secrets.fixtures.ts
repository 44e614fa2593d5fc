// Test fixtures for the vault: a platform on a given database with given master keys (so a test
// can restart it with other keys), and workspaces with a session token per role.
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createTestDatabase, testConfig } from '../../../test/helpers/platform.ts';
import type { Config } from '../../kernel/config.ts';
import type { Logger } from '../../kernel/logging.ts';
import { createLogger } from '../../kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../main.ts';
import type { Platform } from '../../main.ts';
import type { Role } from '../access/index.ts';
import { generateApiKey } from '../identity/tokens.ts';

export function newMasterKey(): string {
  return randomBytes(32).toString('base64');
}

export type Vault = Platform & { config: Config; ownerUrl: string; stop: () => Promise<void> };

/** The real platform on `ownerUrl` with these environment overrides (master keys, data dir). */
export async function startVault(ownerUrl: string, env: Record<string, string>, log: Logger = createLogger('silent')): Promise<Vault> {
  const config = testConfig({ DATABASE_URL: ownerUrl, ...env });
  const db = await connectDatabase(config, log, ownerUrl);
  const platform = await buildPlatform(config, db, log);
  return {
    ...platform, config, ownerUrl,
    async stop() {
      await platform.close();
      await db.close();
    },
  };
}

export async function newDatabase(): Promise<Awaited<ReturnType<typeof createTestDatabase>>> {
  return createTestDatabase();
}

/** A logger at trace level writing every line into `lines` (what the platform would print). */
export function capturingLogger(lines: string[]): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return pino({ level: 'trace', base: { service: 'atrium' } }, sink);
}

export type Tenant = { workspaceId: string; slug: string; tokens: Record<Role, string>; userIds: Record<Role, string>; apiKey: string };

/** A workspace with one user per role (each with a session token) and an admin API key. */
export async function createTenant(platform: Platform, slug: string): Promise<Tenant> {
  const roles: Role[] = ['owner', 'admin', 'member', 'viewer'];
  const key = generateApiKey();
  const created = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $2) returning id`, [slug, `Workspace ${slug}`]);
    const userIds = {} as Record<Role, string>;
    for (const role of roles) {
      const u = await tx.query<{ id: string }>(`insert into users (email, name) values ($1, $2) returning id`, [`${role}-${slug}@example.com`, `${role} of ${slug}`]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      userIds[role] = u.rows[0].id;
    }
    await tx.query(`insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by) values ($1, 'ci', $2, $3, 'admin', $4)`,
      [w.rows[0].id, key.prefix, key.hash, userIds.owner]);
    return { workspaceId: w.rows[0].id, userIds };
  });
  const tokens = {} as Record<Role, string>;
  for (const role of roles) {
    const pair = await platform.db.withWorkspace(created.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: created.userIds[role], workspaceId: created.workspaceId, role, isPlatformAdmin: false }));
    tokens[role] = pair.accessToken;
  }
  return { ...created, slug, tokens, apiKey: key.key };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
