import type { AdminDeps } from './admin.deps.ts';
import { searchUsers } from './admin.store.ts';
import type { AdminUser } from './admin.store.ts';

export type AdminUserPage = { data: AdminUser[]; total: number; limit: number; offset: number };

export async function listUsers(deps: Pick<AdminDeps, 'db'>, search: { q?: string; limit: number; offset: number }): Promise<AdminUserPage> {
  const page = await deps.db.withPlatform((tx) => searchUsers(tx, search));
  return { ...page, limit: search.limit, offset: search.offset };
}
