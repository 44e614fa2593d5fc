// Create (or promote) a platform admin. Idempotent: running it again changes nothing. A token
// always carries a workspace, so an admin without an active workspace gets an "Operations"
// workspace they own, and can log in. Audit, in that workspace's chain: `platform_admin.created`
// or `platform_admin.promoted` (and `workspace.created` for a new Operations workspace).
import type { AuditContext } from '../audit/index.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import type { User } from '../identity/index.ts';
import type { AdminContext } from './admin.context.ts';
import { adminErrors } from './admin.errors.ts';
import { auditContextOfAdmin } from './admin-audit.ts';

export type PlatformAdminInput = { email: string; password?: string; name?: string };
export type PlatformAdminResult = {
  user: User;
  isNewUser: boolean;
  /** An existing user who was not a platform admin before. */
  wasPromoted: boolean;
  /** The workspace the admin logs in to: the new "Operations" workspace, or an existing one. */
  workspace: { id: string; slug: string; name: string; isNew: boolean };
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export async function createPlatformAdmin(
  deps: Pick<AdminContext, 'db' | 'log' | 'identity' | 'tenancy' | 'audit'>,
  audit: AuditContext,
  input: PlatformAdminInput,
): Promise<PlatformAdminResult> {
  const { identity, tenancy } = deps;
  const email = identity.users.normalizeEmail(input.email);
  if (!EMAIL.test(email) || email.length > 254) throw kernelErrors.create('VALIDATION_FAILED', `"${input.email}" is not an email address`);

  const existing = await deps.db.withPlatform((tx) => identity.users.findByEmail(tx, email));
  // Hash outside the transaction (argon2 is slow); only needed when the account has no password.
  let passwordHash: string | null = null;
  if (!existing?.password_hash) {
    if (!input.password) throw adminErrors.create('PASSWORD_REQUIRED');
    identity.passwords.assertStrength(input.password);
    passwordHash = await identity.passwords.hash(input.password);
  }

  const result = await deps.db.withPlatform(async (tx) => {
    // ON CONFLICT DO NOTHING: a concurrent creation (two processes starting) ends as a promotion.
    const inserted = await identity.users.insert(tx, { email, name: input.name?.trim() ?? '', passwordHash, isPlatformAdmin: true });
    let wasPromoted = false;
    let row = inserted;
    if (!row) {
      const current = await identity.users.findByEmail(tx, email);
      if (!current) throw new Error(`User ${email} vanished during creation`);
      wasPromoted = !current.is_platform_admin;
      if (wasPromoted || !current.password_hash) await deps.identity.directory.promoteToPlatformAdmin(tx, current.id, passwordHash);
      row = (await identity.users.findById(tx, current.id))!;
    }
    const memberships = await identity.users.memberships(tx, row.id);
    const active = memberships.find((m) => m.status === 'active');
    let workspace: PlatformAdminResult['workspace'];
    if (active) {
      workspace = { id: active.workspaceId, slug: active.slug, name: active.name, isNew: false };
    } else {
      const created = await tenancy.createWorkspace(tx, { name: 'Operations', kind: 'organization' });
      await identity.users.addMembership(tx, { workspaceId: created.id, userId: row.id, role: 'owner' });
      workspace = { id: created.id, slug: created.slug, name: created.name, isNew: true };
      await deps.audit.record(tx, audit, {
        workspaceId: created.id, action: 'workspace.created', targetType: 'workspace', targetId: created.id,
        diff: { after: { name: created.name, slug: created.slug, kind: created.kind, plan: created.plan, ownerUserId: row.id, via: 'platform_admin' } },
      });
    }
    const isNewUser = inserted !== null;
    if (isNewUser || wasPromoted) {
      await deps.audit.record(tx, audit, {
        workspaceId: workspace.id, action: isNewUser ? 'platform_admin.created' : 'platform_admin.promoted', targetType: 'user', targetId: row.id,
        diff: { before: isNewUser ? null : { isPlatformAdmin: false }, after: { email: row.email, isPlatformAdmin: true } },
      });
    }
    return { user: identity.users.toUser(row), isNewUser, wasPromoted, workspace };
  });
  return result;
}

/**
 * On start: with ATRIUM_ADMIN_EMAIL and ATRIUM_ADMIN_PASSWORD set and no such user yet, create
 * the platform admin. An existing user is left alone (never silently promoted or re-passworded).
 */
export async function ensureBootstrapAdmin(deps: Pick<AdminContext, 'config' | 'db' | 'log' | 'identity' | 'tenancy' | 'audit'>): Promise<PlatformAdminResult | null> {
  const { adminEmail, adminPassword } = deps.config;
  if (!adminEmail || !adminPassword) return null;
  const existing = await deps.db.withPlatform((tx) => deps.identity.users.findByEmail(tx, adminEmail));
  if (existing) {
    if (!existing.is_platform_admin) {
      deps.log.warn({ email: existing.email }, 'ATRIUM_ADMIN_EMAIL names an existing user who is not a platform admin; run `atrium admin create --email …` to promote them');
    }
    return null;
  }
  const result = await createPlatformAdmin(deps, auditContextOfAdmin({ userId: null, via: 'startup' }), { email: adminEmail, password: adminPassword, name: 'Platform admin' });
  deps.log.info({ email: result.user.email, workspace: result.workspace.slug }, 'platform admin created from ATRIUM_ADMIN_EMAIL');
  return result;
}
