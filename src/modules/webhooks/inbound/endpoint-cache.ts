// The inbound route's view of an endpoint, cached per process for a short time: the lookup and
// the secrets' decryption leave the hot path. A change made in this process invalidates its
// entry at once; other processes see it within TTL_MS.
import type { Database } from '../../../kernel/db/database.ts';
import type { Webhook } from 'standardwebhooks';
import { openSecret, signerOf } from '../signing.ts';

const TTL_MS = 2_000;
const MAX_ENTRIES = 10_000;

export type InboundEndpoint = {
  workspaceId: string;
  id: string;
  targetKind: 'workflow' | 'agent' | 'none';
  targetId: string | null;
  isOrdered: boolean;
  isEnabled: boolean;
  isWorkspaceActive: boolean;
  /** Current secret first, then the previous one while it is still valid. */
  signers: Webhook[];
  previousValidUntil: number | null;
};

type Row = {
  workspace_id: string; id: string; target_kind: 'workflow' | 'agent' | 'none'; target_id: string | null; is_ordered: boolean; is_enabled: boolean;
  secret_sealed: string; previous_secret_sealed: string | null; previous_secret_expires_at: Date | null; workspace_status: string;
};

export function createEndpointCache(db: Database, sealingKey: Buffer) {
  const entries = new Map<string, { value: InboundEndpoint | null; until: number }>();

  async function load(id: string): Promise<InboundEndpoint | null> {
    const { rows } = await db.app.query<Row>({ name: 'atrium_find_webhook_endpoint', text: 'select * from atrium_find_webhook_endpoint($1)', values: [id] });
    const r = rows[0];
    if (!r) return null;
    const owner = { kind: 'endpoint' as const, workspaceId: r.workspace_id, id: r.id };
    const signers = [signerOf(openSecret(sealingKey, owner, r.secret_sealed))];
    const previousValidUntil = r.previous_secret_expires_at ? r.previous_secret_expires_at.getTime() : null;
    if (r.previous_secret_sealed && previousValidUntil && previousValidUntil > Date.now()) signers.push(signerOf(openSecret(sealingKey, owner, r.previous_secret_sealed)));
    return {
      workspaceId: r.workspace_id, id: r.id, targetKind: r.target_kind, targetId: r.target_id, isOrdered: r.is_ordered, isEnabled: r.is_enabled,
      isWorkspaceActive: r.workspace_status === 'active', signers, previousValidUntil,
    };
  }

  return {
    async get(id: string): Promise<InboundEndpoint | null> {
      const now = Date.now();
      const hit = entries.get(id);
      // The previous secret stops verifying at its expiry, cache or not.
      if (hit && hit.until > now && !(hit.value?.previousValidUntil && hit.value.previousValidUntil <= now)) return hit.value;
      const value = await load(id);
      if (entries.size >= MAX_ENTRIES) entries.clear();
      entries.set(id, { value, until: now + TTL_MS });
      return value;
    },
    /** Forget one endpoint, or every one. */
    invalidate(id?: string): void {
      if (id) entries.delete(id);
      else entries.clear();
    },
  };
}

export type EndpointCache = ReturnType<typeof createEndpointCache>;
