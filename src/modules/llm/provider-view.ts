// What the API shows of a provider connection: never a key, only the vault name that holds it
// (a workspace's) or whether one is set (the operator's).
import type { PlatformProviderRow, ProviderRow } from './providers.store.ts';

export type ProviderView = {
  id: string; name: string; kind: string; baseUrl: string; owner: 'workspace' | 'platform';
  secretName: string | null; hasKey: boolean; timeoutMs: number; isEnabled: boolean; createdAt: string; updatedAt: string;
};

export function viewOfProvider(r: ProviderRow | PlatformProviderRow): ProviderView {
  const isPlatform = r.owner === 'platform';
  return {
    id: r.id, name: r.name, kind: r.kind, baseUrl: r.base_url, owner: r.owner,
    secretName: isPlatform ? null : (r as ProviderRow).secret_name,
    hasKey: isPlatform ? (r as PlatformProviderRow).key_sealed !== null : (r as ProviderRow).secret_name !== null,
    timeoutMs: r.timeout_ms, isEnabled: r.is_enabled, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString(),
  };
}
