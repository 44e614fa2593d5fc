import type { AdminContext } from './admin.context.ts';
import type { AdminUser } from '../identity/index.ts';

export type AdminUserPage = { data: AdminUser[]; total: number; limit: number; offset: number };

export async function listUsers(deps: Pick<AdminContext, 'db' | 'identity'>, search: { q?: string; limit: number; offset: number }): Promise<AdminUserPage> {
  const page = await deps.db.withPlatform((tx) => deps.identity.directory.searchUsers(tx, search));
  return { ...page, limit: search.limit, offset: search.offset };
}
