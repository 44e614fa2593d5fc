// STUB
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { MailModule } from '../mail/index.ts';
export function createOnboardingModule(_deps: KernelDeps, _modules: { identity: IdentityModule; mail: MailModule }) {
  const routes: RoutePlugin = async () => {};
  return { routes };
}
