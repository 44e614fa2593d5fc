// Test fixtures: users, workspaces and memberships inserted on the platform path (not through
// the signup endpoint), and small helpers to call the app. Used by the identity tests only.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { TestPlatform } from '../../../test/helpers/platform.ts';
import type { Role } from '../access/index.ts';
import { deriveIdentityKeys } from './identity.context.ts';
import type { IdentityContext } from './identity.context.ts';

export const PASSWORD = 'correct horse battery staple';

export function uniqueSlug(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export function uniqueEmail(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}@example.com`;
}

export async function createWorkspace(platform: TestPlatform, input: { name?: string; slug?: string; status?: 'active' | 'suspended' | 'deleted' } = {}): Promise<{ id: string; slug: string; name: string }> {
  const slug = input.slug ?? uniqueSlug('ws');
  const name = input.name ?? `Workspace ${slug}`;
  const { rows } = await platform.db.withPlatform((tx) =>
    tx.query<{ id: string }>('insert into workspaces (slug, name, status) values ($1, $2, $3) returning id', [slug, name, input.status ?? 'active']));
  return { id: rows[0].id, slug, name };
}

export async function createUser(platform: TestPlatform, input: { email?: string; password?: string | null; name?: string } = {}): Promise<{ id: string; email: string; password: string }> {
  const email = input.email ?? uniqueEmail('user');
  const password = input.password === undefined ? PASSWORD : input.password;
  const hash = password === null ? null : await platform.identity.passwords.hash(password);
  const { rows } = await platform.db.withPlatform((tx) =>
    tx.query<{ id: string }>('insert into users (email, name, password_hash) values ($1, $2, $3) returning id', [email, input.name ?? 'Test User', hash]));
  return { id: rows[0].id, email, password: password ?? '' };
}

export async function addMember(platform: TestPlatform, workspaceId: string, userId: string, role: Role): Promise<void> {
  await platform.db.withPlatform((tx) => tx.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [workspaceId, userId, role]));
}

/** A user who is `role` in a new workspace. */
export async function createMember(platform: TestPlatform, role: Role, workspaceId?: string): Promise<{ id: string; email: string; password: string; workspaceId: string }> {
  const ws = workspaceId ?? (await createWorkspace(platform)).id;
  const user = await createUser(platform);
  await addMember(platform, ws, user.id, role);
  return { ...user, workspaceId: ws };
}

export type Tokens = { accessToken: string; refreshToken: string; sessionId: string; workspaceId: string };

export async function login(platform: TestPlatform, email: string, password: string = PASSWORD, workspace?: string): Promise<Tokens> {
  const res = await platform.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password, ...(workspace ? { workspace } : {}) } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.mfaRequired, false);
  return { accessToken: body.accessToken, refreshToken: body.refreshToken, sessionId: body.sessionId, workspaceId: body.workspaceId };
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/** The identity context of a test platform, to call a use-case directly. */
export function contextOf(platform: TestPlatform): IdentityContext {
  return {
    db: platform.db,
    config: platform.config,
    sessions: platform.identity.sessions,
    mail: platform.mail,
    audit: platform.audit,
    access: platform.access,
    keys: deriveIdentityKeys(platform.config.secret),
    invalidateSessionCache: platform.identity.invalidateSessionCache,
  };
}
