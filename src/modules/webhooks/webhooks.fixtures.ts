// Test fixtures: a workspace with an owner and a member (session tokens), signing helpers, and
// a polling wait (state reached, not a timing).
import { Webhook } from 'standardwebhooks';
import type { Platform } from '../../main.ts';

export type TestWorkspace = { workspaceId: string; ownerId: string; ownerEmail: string; owner: string; member: string; viewer: string };

export async function createWorkspaceWithUsers(platform: Platform, slug: string): Promise<TestWorkspace> {
  const roles = ['owner', 'member', 'viewer'] as const;
  const created = await platform.db.withPlatform(async (tx) => {
    const w = await tx.query<{ id: string }>(`insert into workspaces (slug, name) values ($1, $2) returning id`, [slug, `Workspace ${slug}`]);
    const ids: Record<string, string> = {};
    for (const role of roles) {
      const u = await tx.query<{ id: string }>(`insert into users (email, name) values ($1, $2) returning id`, [`${role}-${slug}@example.com`, `${role} of ${slug}`]);
      await tx.query(`insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)`, [w.rows[0].id, u.rows[0].id, role]);
      ids[role] = u.rows[0].id;
    }
    return { workspaceId: w.rows[0].id, ids };
  });
  const tokens: Record<string, string> = {};
  for (const role of roles) {
    const pair = await platform.db.withWorkspace(created.workspaceId, (tx) =>
      platform.identity.sessions.openSession(tx, { userId: created.ids[role], workspaceId: created.workspaceId, role, isPlatformAdmin: false }));
    tokens[role] = pair.accessToken;
  }
  return { workspaceId: created.workspaceId, ownerId: created.ids.owner, ownerEmail: `owner-${slug}@example.com`, owner: tokens.owner, member: tokens.member, viewer: tokens.viewer };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** Standard Webhooks headers for a body, as a sender would compute them. */
export function signedHeaders(secret: string, body: string | Buffer, options: { id?: string; at?: Date } = {}): Record<string, string> {
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  const at = options.at ?? new Date();
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(secret).sign(id, at, body),
  };
}

export { waitUntil as waitFor } from '../../../test/helpers/wait.ts';
