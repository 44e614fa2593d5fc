// API keys of a workspace. Only the SHA-256 of a key is stored; its prefix is public.
import type { Database, Tx } from '../../../kernel/db/database.ts';

export type ApiKeyView = {
  id: string;
  name: string;
  prefix: string;
  role: 'admin' | 'member' | 'viewer';
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  revokedAt: string | null;
  createdBy: string | null;
  /** Custom roles held on top of `role` (src/modules/access). */
  roleIds: string[];
};

type Row = {
  id: string; name: string; prefix: string; role: ApiKeyView['role']; created_at: Date; last_used_at: Date | null;
  expires_at: Date | null; revoked_at: Date | null; created_by: string | null; role_ids: string[];
};

// role_ids: through the access module's view (migration 0019), not its table; probed per listed key.
const COLUMNS = `id, name, prefix, role, created_at, last_used_at, expires_at, revoked_at, created_by,
  coalesce((select s.role_ids from api_key_role_sets s where s.workspace_id = api_keys.workspace_id and s.api_key_id = api_keys.id), '{}') as role_ids`;

/** The bench compares GET /api-keys against a bare handler running this statement ($1 workspace, $2 cursor, $3 limit). */
export const LIST_API_KEYS_SQL = `select ${COLUMNS} from api_keys
  where workspace_id = $1 and ($2::uuid is null or id < $2::uuid)
  order by id desc limit $3`;

function iso(d: Date | null): string | null {
  return d ? d.toISOString() : null;
}

function toView(r: Row): ApiKeyView {
  return {
    // Shown as the key starts (`atr_<prefix>`), so a key in a script can be matched to its row.
    id: r.id, name: r.name, prefix: `atr_${r.prefix}`, role: r.role, createdAt: r.created_at.toISOString(),
    lastUsedAt: iso(r.last_used_at), expiresAt: iso(r.expires_at), revokedAt: iso(r.revoked_at), createdBy: r.created_by,
    roleIds: r.role_ids,
  };
}

/** A hot read: one statement in one round trip (readInWorkspace), prepared per connection. */
export async function listApiKeys(db: Database, workspaceId: string, options: { limit: number; before?: string }): Promise<ApiKeyView[]> {
  const rows = await db.readInWorkspace<Row>(workspaceId, { name: 'identity_list_api_keys', text: LIST_API_KEYS_SQL, values: [workspaceId, options.before ?? null, options.limit] });
  return rows.map(toView);
}

export async function insertApiKey(
  tx: Tx,
  input: { workspaceId: string; name: string; prefix: string; keyHash: string; role: ApiKeyView['role']; createdBy: string | null; expiresInDays?: number },
): Promise<ApiKeyView> {
  const { rows } = await tx.query<Row>(
    `insert into api_keys (workspace_id, name, prefix, key_hash, role, created_by, expires_at)
     values ($1, $2, $3, $4, $5, $6, case when $7::int is null then null else now() + make_interval(days => $7::int) end)
     returning ${COLUMNS}`,
    [input.workspaceId, input.name, input.prefix, input.keyHash, input.role, input.createdBy, input.expiresInDays ?? null],
  );
  return toView(rows[0]);
}

/** Revoke (idempotent). Returns false when no such key exists in the workspace. */
export async function revokeApiKey(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rows } = await tx.query<{ id: string }>(
    `update api_keys set revoked_at = coalesce(revoked_at, now()) where workspace_id = $1 and id = $2 returning id`,
    [workspaceId, id],
  );
  return rows.length > 0;
}

/** The fields a conditional grant may test (src/modules/access/conditions.ts), the row locked. */
export async function lockApiKey(tx: Tx, workspaceId: string, id: string): Promise<{ createdBy: string | null; role: ApiKeyView['role'] } | null> {
  const { rows } = await tx.query<{ created_by: string | null; role: ApiKeyView['role'] }>(
    'select created_by, role from api_keys where workspace_id = $1 and id = $2 for update',
    [workspaceId, id],
  );
  return rows[0] ? { createdBy: rows[0].created_by, role: rows[0].role } : null;
}

/** One key (locked), as listed; null when not found in the workspace. */
export async function lockApiKeyView(tx: Tx, workspaceId: string, id: string): Promise<ApiKeyView | null> {
  const { rows } = await tx.query<Row>(`select ${COLUMNS} from api_keys where workspace_id = $1 and id = $2 for update`, [workspaceId, id]);
  return rows[0] ? toView(rows[0]) : null;
}

/** Revokes (idempotent) and says what the key was: null when not found in the workspace. */
export async function revokeApiKeyWithState(tx: Tx, workspaceId: string, id: string): Promise<{ wasActive: boolean; name: string; prefix: string; role: ApiKeyView['role'] } | null> {
  const { rows } = await tx.query<{ was_active: boolean; name: string; prefix: string; role: ApiKeyView['role'] }>(
    `with prev as (select id, revoked_at from api_keys where workspace_id = $1 and id = $2 for update)
     update api_keys k set revoked_at = coalesce(k.revoked_at, now()) from prev
     where k.workspace_id = $1 and k.id = prev.id
     returning prev.revoked_at is null as was_active, k.name, k.prefix, k.role`,
    [workspaceId, id],
  );
  const r = rows[0];
  return r ? { wasActive: r.was_active, name: r.name, prefix: `atr_${r.prefix}`, role: r.role } : null;
}

/** Does an API key (revoked or not) exist in the workspace? (other modules' quotas name keys) */
/** Names of the workspace's API keys among `ids` (those the transaction may see), by id. */
export async function apiKeyNames(tx: Tx, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {};
  const { rows } = await tx.query<{ id: string; name: string }>('select id::text, name from api_keys where id = any($1::uuid[])', [ids]);
  return Object.fromEntries(rows.map((r) => [r.id, r.name]));
}

export async function apiKeyExists(tx: Tx, workspaceId: string, id: string): Promise<boolean> {
  const { rows } = await tx.query('select 1 from api_keys where workspace_id = $1 and id = $2', [workspaceId, id]);
  return rows.length > 0;
}
