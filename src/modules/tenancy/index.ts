// STUB
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { IdentityModule } from '../identity/index.ts';
export function createTenancyModule(_deps: KernelDeps, _modules: { identity: IdentityModule }) {
  const routes: RoutePlugin = async () => {};
  return { routes };
}
export type TenancyModule = ReturnType<typeof createTenancyModule>;
