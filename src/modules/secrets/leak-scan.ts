// "Does this text hold a value of any workspace's vault?" for checks that must not let one cross
// the wall (a workflow build). Matched through the fingerprint index (fingerprints.ts) on the
// platform path: no vault is decrypted per check. Values written before the index, or fingerprinted
// under a master key since rotated, are brought up to date first (once; a batch per transaction).
import { dataKeyVersion } from './data-keys.ts';
import { openValue } from './envelope.ts';
import { fingerprinter, leakTokens, valueFingerprints } from './fingerprints.ts';
import type { SecretsContext } from './secrets.context.ts';
import { fingerprintMatches, setFingerprints, staleFingerprints } from './secrets.store.ts';

const BATCH = 200;

/** Fingerprints every value that has none under the current master key; returns how many. */
export async function refreshFingerprints(ctx: SecretsContext): Promise<number> {
  const fp = fingerprinter(ctx.keyring.current);
  let done = 0;
  for (;;) {
    const n = await ctx.db.withPlatform(async (tx) => {
      const stale = await staleFingerprints(tx, fp.keyId, BATCH);
      for (const s of stale) {
        let value: string | null = null;
        try {
          value = openValue(await dataKeyVersion(tx, ctx.keyring, s.workspaceId, s.keyVersion), s.workspaceId, s.name, s.keyVersion, s);
        } catch (err) {
          ctx.log.warn({ err, workspaceId: s.workspaceId, secretId: s.id }, 'secrets: a value could not be opened to fingerprint it');
        }
        if (value === null) ctx.log.warn({ workspaceId: s.workspaceId, secretId: s.id }, 'secrets: a value does not open; it has no fingerprint until it is written again');
        // A value that does not open is marked done (empty) under this key, so it is not retried on every check.
        await setFingerprints(tx, s.workspaceId, s.id, value === null ? [] : valueFingerprints(fp, value), fp.keyId);
      }
      return stale.length;
    });
    done += n;
    if (n < BATCH) return done;
  }
}

export type VaultMatch = { file: string; isOwnWorkspace: boolean };

/** The files of `files` holding a token that is (part of) a value in some workspace's vault. */
export async function vaultMatches(ctx: SecretsContext, workspaceId: string, files: Record<string, string>): Promise<VaultMatch[]> {
  await refreshFingerprints(ctx);
  const fp = fingerprinter(ctx.keyring.current);
  const byFingerprint = new Map<string, Set<string>>();
  for (const [file, text] of Object.entries(files)) {
    for (const token of leakTokens(text)) {
      const key = fp.of(token).toString('hex');
      const set = byFingerprint.get(key) ?? new Set<string>();
      set.add(file);
      byFingerprint.set(key, set);
    }
  }
  if (!byFingerprint.size) return [];
  const candidates = [...byFingerprint.keys()].map((h) => Buffer.from(h, 'hex'));
  const matches = await ctx.db.withPlatform((tx) => fingerprintMatches(tx, candidates));
  const out = new Map<string, VaultMatch>();
  for (const m of matches) {
    for (const file of byFingerprint.get(m.fingerprint.toString('hex')) ?? []) {
      const isOwnWorkspace = m.workspaceId === workspaceId;
      const key = `${file}\0${isOwnWorkspace}`;
      if (!out.has(key)) out.set(key, { file, isOwnWorkspace });
    }
  }
  return [...out.values()];
}
