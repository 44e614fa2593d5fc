// Test fixtures for roles: a workspace with one user per built-in role plus extra members, each
// with a session token, inserted on the platform path.
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { Role } from './permissions.ts';

export type Workspace = { id: string; users: Record<string, string>; tokens: Record<string, string> };

/** A workspace whose members are named: `{ owner: 'owner', alice: 'viewer', … }` → user ids and tokens. */
export async function createWorkspace(platform: TestPlatform, members: Record<string, Role>): Promise<Workspace> {
  const slug = `roles-${randomBytes(4).toString('hex')}`;
  const { id, users } = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>('insert into workspaces (slug, name) values ($1, $2) returning id', [slug, `Workspace ${slug}`]);
    const users: Record<string, string> = {};
    for (const [name, role] of Object.entries(members)) {
      const u = await tx.query<{ id: string }>('insert into users (email, name) values ($1, $2) returning id', [`${name}-${slug}@example.com`, `${name} of ${slug}`]);
      await tx.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [w.rows[0].id, u.rows[0].id, role]);
      users[name] = u.rows[0].id;
    }
    return { id: w.rows[0].id, users };
  });
  const tokens: Record<string, string> = {};
  for (const [name, role] of Object.entries(members)) {
    const pair = await platform.db.withWorkspace(id, (tx) => platform.identity.sessions.openSession(tx, { userId: users[name], workspaceId: id, role, isPlatformAdmin: false }));
    tokens[name] = pair.accessToken;
  }
  return { id, users, tokens };
}

export function caller(platform: TestPlatform) {
  return async (token: string, method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, payload?: object): Promise<LightMyRequestResponse> =>
    platform.app.inject({ method, url: `/api/v1${url}`, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
}
