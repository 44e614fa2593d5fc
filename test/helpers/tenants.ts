// A workspace with one user per built-in role, each with a session token, and an API key; and a
// platform admin with a session. Built on the platform path, so module suites don't depend on the
// routes they test.
import type { Platform } from '../../src/main.ts';
import type { Role } from '../../src/modules/access/index.ts';
import { generateApiKey } from '../../src/modules/identity/tokens.ts';

export type Tenant = { workspaceId: string; slug: string; tokens: Record<Role, string>; userIds: Record<Role, string>; apiKey: string };

const ROLES: Role[] = ['owner', 'admin', 'member', 'viewer'];

export async function createTenant(platform: Pick<Platform, 'db' | 'identity'>, slug: string, options: { apiKeyRole?: Role } = {}): Promise<Tenant> {
  const key = generateApiKey();
  const created = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>('insert into workspaces (slug, name) values ($1, $2) returning id', [slug, `Workspace ${slug}`]);
    const userIds = {} as Record<Role, string>;
    for (const role of ROLES) {
      const u = await tx.query<{ id: string }>('insert into users (email, name) values ($1, $2) returning id', [`${role}-${slug}@example.com`, `${role} of ${slug}`]);
      await tx.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [w.rows[0].id, u.rows[0].id, role]);
      userIds[role] = u.rows[0].id;
    }
    await tx.query(`insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by) values ($1, 'ci', $2, $3, $4, $5)`,
      [w.rows[0].id, key.prefix, key.hash, options.apiKeyRole ?? 'admin', userIds.owner]);
    return { workspaceId: w.rows[0].id, userIds };
  });
  const tokens = {} as Record<Role, string>;
  for (const role of ROLES) {
    const pair = await platform.db.withWorkspace(created.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: created.userIds[role], workspaceId: created.workspaceId, role, isPlatformAdmin: false }));
    tokens[role] = pair.accessToken;
  }
  return { ...created, slug, tokens, apiKey: key.key };
}

/** A platform admin (with their Operations workspace) and a session token. */
export async function createPlatformAdminSession(platform: Pick<Platform, 'db' | 'identity' | 'admin'>, email: string, name: string): Promise<{ userId: string; token: string }> {
  const created = await platform.admin.createPlatformAdmin({ email, password: 'operator password 1', name });
  const pair = await platform.db.withWorkspace(created.workspace.id, (tx) =>
    platform.identity.sessions.openSession(tx, { userId: created.user.id, workspaceId: created.workspace.id, role: 'owner', isPlatformAdmin: true }));
  return { userId: created.user.id, token: pair.accessToken };
}
