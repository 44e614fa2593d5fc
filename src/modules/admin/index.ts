// STUB — replaced by the admin implementation.
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { IdentityModule } from '../identity/index.ts';
import type { TenancyModule } from '../tenancy/index.ts';
export function createAdminModule(_deps: KernelDeps, _modules: { identity: IdentityModule; tenancy: TenancyModule }) {
  const routes: RoutePlugin = async () => {};
  return { routes, async ensureBootstrapAdmin(): Promise<void> {} };
}
