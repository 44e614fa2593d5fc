// STUB — replaced by the identity implementation.
import type { FastifyRequest } from 'fastify';
import type { KernelDeps, RoutePlugin } from '../../kernel/module.ts';
import type { Principal } from '../../kernel/http/principal.ts';
import type { MailModule } from '../mail/index.ts';

export function createIdentityModule(_deps: KernelDeps, _modules: { mail: MailModule }) {
  const routes: RoutePlugin = async () => {};
  return {
    routes,
    async authenticate(_request: FastifyRequest): Promise<Principal | null> { return null; },
    async ensureBootstrapAdmin(): Promise<void> {},
  };
}
export type IdentityModule = ReturnType<typeof createIdentityModule>;
