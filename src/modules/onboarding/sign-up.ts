// Self-service signup: user + workspace + owner membership + settings + welcome mail + first
// session, all in one transaction bound to the new workspace. Idempotent by email: an
// existing account (any case, also one created by a concurrent signup) answers
// `already_created`, changes nothing and returns no tokens.
import type { Database } from '../../kernel/db/database.ts';
import type { Logger } from '../../kernel/logging.ts';
import { AppError } from '../../kernel/errors.ts';
import { uuidv7 } from '../../kernel/ids.ts';
import type { IdentityModule, TokenPair, User } from '../identity/index.ts';
import type { Workspace } from '../tenancy/index.ts';
import type { AuditContext } from '../audit/index.ts';
import { AccountExistsError, onboardingErrors } from './onboarding.errors.ts';
import { ProvisioningStepError } from './provisioning.ts';
import type { ProvisioningContext, ProvisioningPipeline } from './provisioning.ts';

export type SignupRequest = { email: string; password: string; name: string; companyName: string };
export type SignupResult =
  | ({ status: 'created'; user: User; workspace: Workspace } & TokenPair)
  | { status: 'already_created' };

type Deps = { db: Database; log: Logger; identity: IdentityModule; pipeline: ProvisioningPipeline };

function isAccountExists(err: unknown): boolean {
  if (err instanceof AccountExistsError) return true;
  // A plain insert losing the race on users' unique email index.
  const pgErr = err as { code?: string; constraint?: string };
  return pgErr?.code === '23505' && pgErr.constraint === 'users_email_key';
}

export async function signUp(deps: Deps, request: SignupRequest, client: { ip?: string; userAgent?: string } = {}, audit?: AuditContext): Promise<SignupResult> {
  const { db, identity } = deps;
  identity.passwords.assertStrength(request.password);
  const email = identity.users.normalizeEmail(request.email);

  // Fast path for a repeated signup: no password hashing, no transaction on the tenant side.
  const existing = await db.withIdentity((tx) => identity.users.findByEmail(tx, email));
  if (existing) return { status: 'already_created' };

  const workspaceId = uuidv7();
  const ctx: ProvisioningContext = {
    input: { email, name: request.name.trim(), companyName: request.companyName.trim(), passwordHash: await identity.passwords.hash(request.password) },
    workspaceId,
    log: deps.log,
    audit,
    state: new Map(),
  };
  try {
    return await deps.pipeline.execute<SignupResult>(
      ctx,
      (fn) => db.withWorkspace(workspaceId, fn),
      async (c, tx) => {
        const user = c.user!;
        const workspace = c.workspace!;
        const tokens = await identity.sessions.openSession(tx, { userId: user.id, workspaceId, role: 'owner', isPlatformAdmin: user.isPlatformAdmin, ...client });
        return { status: 'created', user, workspace, ...tokens };
      },
    );
  } catch (err) {
    if (!(err instanceof ProvisioningStepError)) throw err;
    if (isAccountExists(err.cause)) return { status: 'already_created' };
    // A client mistake found by a step keeps its own 4xx answer.
    if (err.cause instanceof AppError && err.cause.status < 500) throw err.cause;
    deps.log.error({ err: err.cause, step: err.step, workspaceId }, `onboarding failed at provisioning step "${err.step}"; rolled back`);
    throw onboardingErrors.create('PROVISIONING_FAILED', 'Your account could not be set up and nothing was created; please try again');
  }
}
