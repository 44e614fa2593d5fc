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
import { createTenant as createSharedTenant } from '../../../test/helpers/tenants.ts';
import type { Tenant } from '../../../test/helpers/tenants.ts';

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

export type { Tenant } from '../../../test/helpers/tenants.ts';

/** A workspace with one user per role (each with a session token) and an admin API key. */
export function createTenant(platform: Platform, slug: string): Promise<Tenant> {
  return createSharedTenant(platform, slug, { apiKeyRole: 'admin' });
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
