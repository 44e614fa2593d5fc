// What the identity use-cases receive: the kernel pieces and the module's own services.
import type { JobEngine } from '../../kernel/jobs/index.ts';
import type { Config } from '../../kernel/config.ts';
import type { Database } from '../../kernel/db/database.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import { deriveKey } from '../../kernel/crypto.ts';
import { kernelErrors } from '../../kernel/errors.ts';
import type { MailModule } from '../mail/index.ts';
import type { AuditModule } from '../audit/index.ts';
import type { AccessModule } from '../access/index.ts';
import type { SessionService } from './sessions.ts';

export type IdentityContext = {
  db: Database;
  config: Config;
  sessions: SessionService;
  mail: MailModule;
  /** Every change is recorded in the same transaction (`audit.record(tx, …)`). */
  audit: AuditModule;
  /** Custom roles: member assignments and the access cache (src/modules/access). */
  access: AccessModule;
  /** Derived keys: TOTP secrets at rest (AES-256-GCM) and recovery-code hashes (HMAC). */
  keys: { totp: Buffer; recoveryCodes: Buffer };
  invalidateSessionCache(sessionId?: string): void;
  /** The job engine, when the platform runs one (impersonation expiry). */
  jobs?: JobEngine;
};

export function deriveIdentityKeys(rootSecret: string): IdentityContext['keys'] {
  return { totp: deriveKey(rootSecret, 'atrium:totp-secret:v1'), recoveryCodes: deriveKey(rootSecret, 'atrium:recovery-code:v1') };
}

/** Where a request comes from, for sessions and login throttling. */
export type ClientInfo = { ip: string; userAgent?: string };

export type UserActor = { userId: string; sessionId: string; workspaceId: string; role: Principal['role']; isPlatformAdmin: boolean };

/** The logged-in user behind a principal; an API key is refused (fail closed). */
export function requireUser(principal: Principal | null): UserActor {
  if (!principal || principal.kind !== 'user' || !principal.userId || !principal.sessionId) {
    throw kernelErrors.create('FORBIDDEN', 'This needs a user session, not an API key');
  }
  return { userId: principal.userId, sessionId: principal.sessionId, workspaceId: principal.workspaceId, role: principal.role, isPlatformAdmin: principal.isPlatformAdmin };
}
