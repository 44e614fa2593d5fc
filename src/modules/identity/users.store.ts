import type { Tx } from '../../kernel/db/database.ts';

export type UserRow = {
  id: string;
  email: string;
  name: string;
  password_hash: string | null;
  is_platform_admin: boolean;
  totp_secret: string | null;
  totp_enabled_at: Date | null;
  totp_last_step: number | null;
  recovery_codes: string[];
  created_at: Date;
};

export type User = { id: string; email: string; name: string; isPlatformAdmin: boolean; mfaEnabled: boolean; createdAt: string };

export function toUser(r: UserRow): User {
  return { id: r.id, email: r.email, name: r.name, isPlatformAdmin: r.is_platform_admin, mfaEnabled: r.totp_enabled_at !== null, createdAt: r.created_at.toISOString() };
}

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function findUserByEmail(tx: Tx, email: string): Promise<UserRow | null> {
  const { rows } = await tx.query<UserRow>('select * from users where lower(email) = $1', [normalizeEmail(email)]);
  return rows[0] ?? null;
}

export async function findUserById(tx: Tx, id: string): Promise<UserRow | null> {
  const { rows } = await tx.query<UserRow>('select * from users where id = $1', [id]);
  return rows[0] ?? null;
}

/** Inserts a user; returns null when the email is taken (case-insensitive). */
export async function insertUser(tx: Tx, input: { email: string; name: string; passwordHash: string | null; isPlatformAdmin?: boolean }): Promise<UserRow | null> {
  const { rows } = await tx.query<UserRow>(
    `insert into users (email, name, password_hash, is_platform_admin) values ($1, $2, $3, $4)
     on conflict (lower(email)) do nothing returning *`,
    [normalizeEmail(input.email), input.name, input.passwordHash, input.isPlatformAdmin ?? false],
  );
  return rows[0] ?? null;
}

export type Membership = { workspaceId: string; slug: string; name: string; status: string; role: string; parentId: string | null };

export async function listUserMemberships(tx: Tx, userId: string): Promise<Membership[]> {
  const { rows } = await tx.query<{ workspace_id: string; slug: string; name: string; status: string; role: string; parent_id: string | null }>(
    'select * from atrium_user_memberships($1)', [userId],
  );
  return rows.map((r) => ({ workspaceId: r.workspace_id, slug: r.slug, name: r.name, status: r.status, role: r.role, parentId: r.parent_id }));
}

/** Add a user to a workspace (in a transaction bound to that workspace). */
export async function addMembership(tx: Tx, input: { workspaceId: string; userId: string; role: string }): Promise<void> {
  await tx.query('insert into memberships (workspace_id, user_id, role) values ($1, $2, $3)', [input.workspaceId, input.userId, input.role]);
}

/** The user row, locked for the rest of the transaction (second-factor checks, password change). */
export async function findUserByIdForUpdate(tx: Tx, id: string): Promise<UserRow | null> {
  const { rows } = await tx.query<UserRow>('select * from users where id = $1 for update', [id]);
  return rows[0] ?? null;
}

/** Replace the password hash only if it is still the one that was checked (no lost update). */
export async function updatePasswordHash(tx: Tx, userId: string, previousHash: string, nextHash: string): Promise<boolean> {
  const r = await tx.query('update users set password_hash = $3 where id = $1 and password_hash = $2', [userId, previousHash, nextHash]);
  return (r.rowCount ?? 0) > 0;
}
