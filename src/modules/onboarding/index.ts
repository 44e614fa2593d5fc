// The onboarding module's door: self-service signup as a pipeline of provisioning steps.
import type { KernelDeps } from '../../kernel/module.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
import type { AuditContext, AuditModule } from '../audit/index.ts';
import { createProvisioningPipeline } from './provisioning.ts';
import { createCoreSteps } from './core-steps.ts';
import { signUp } from './sign-up.ts';
import type { SignupRequest } from './sign-up.ts';
import { onboardingRoutes } from './onboarding.routes.ts';

export type { ProvisioningStep, ProvisioningContext, SignupInput } from './provisioning.ts';
export type { SignupRequest, SignupResult } from './sign-up.ts';
export { onboardingErrors } from './onboarding.errors.ts';

export function createOnboardingModule(deps: KernelDeps, modules: { identity: IdentityModule; mail: MailModule; tenancy: TenancyModule; audit: AuditModule }) {
  const audit = modules.audit;
  const pipeline = createProvisioningPipeline(createCoreSteps({ ...modules, audit, config: deps.config }));
  const run = (request: SignupRequest, client: { ip?: string; userAgent?: string } = {}, context?: AuditContext) =>
    signUp({ db: deps.db, log: deps.log, identity: modules.identity, pipeline }, request, client, context);

  return {
    routes: onboardingRoutes(run),
    signUp: run,
    /**
     * The seam for later issues (memory space, secrets namespace, git branch): add a step, with
     * its compensation, at the end or `before` a named step. Returns a function removing it.
     */
    registerProvisioningStep: pipeline.registerProvisioningStep,
    provisioningSteps: pipeline.stepNames,
  };
}

export type OnboardingModule = ReturnType<typeof createOnboardingModule>;
