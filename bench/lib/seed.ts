// Seeds one workspace with a user session and 20 API keys, plus a noise workspace, through
// Atrium's own modules (in process), and returns what the load needs.
import { loadConfig } from '../../src/kernel/config.ts';
import { createLogger } from '../../src/kernel/logging.ts';
import { buildPlatform, connectDatabase } from '../../src/main.ts';
import { BENCH_SECRET } from './database.ts';
import { generateApiKey } from '../../src/modules/identity/tokens.ts';

export type Seed = { accessToken: string; workspaceId: string; userId: string; sessionId: string };

export async function seed(ownerUrl: string): Promise<Seed> {
  const config = loadConfig({ DATABASE_URL: ownerUrl, ATRIUM_SECRET: BENCH_SECRET, ATRIUM_LOG_LEVEL: 'silent', ATRIUM_DATA_DIR: '.atrium/bench-data' }, { loadDotenv: false });
  const log = createLogger('silent');
  const db = await connectDatabase(config, log, ownerUrl);
  const platform = await buildPlatform(config, db, log, { serveConsole: false });
  try {
    const passwordHash = await platform.identity.passwords.hash('bench-password-123');
    const result = await db.withPlatform(async (tx) => {
      const slugs = ['bench', 'noise'];
      const ids: string[] = [];
      for (const slug of slugs) {
        const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $2) returning id`, [slug, slug]);
        ids.push(w.rows[0].id);
      }
      const u = await tx.query<{ id: string }>(`insert into users (email, name, password_hash) values ('bench@example.com', 'Bench', $1) returning id`, [passwordHash]);
      const userId = u.rows[0].id;
      for (const ws of ids) {
        await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, 'owner')`, [ws, userId]);
        for (let i = 0; i < 20; i++) {
          const k = generateApiKey();
          await tx.query(`insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by) values ($1, $2, $3, $4, 'member', $5)`,
            [ws, `key ${i + 1}`, k.prefix, k.hash, userId]);
        }
      }
      return { workspaceId: ids[0], userId };
    });
    const pair = await db.withWorkspace(result.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: result.userId, workspaceId: result.workspaceId, role: 'owner', isPlatformAdmin: false }));
    return { accessToken: pair.accessToken, workspaceId: result.workspaceId, userId: result.userId, sessionId: pair.sessionId };
  } finally {
    await platform.close();
    await db.close();
  }
}
