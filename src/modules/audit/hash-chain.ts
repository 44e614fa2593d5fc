// The hash chain, as verification recomputes it. Mirrors atrium_audit_hash() of migration 0004:
// hash = sha256(prev_hash || '\n' || canonical(row)), each field written `<octets>:<text>;`
// (null: `-;`). Values are the text PostgreSQL gives for the stored columns (uuid lower-case,
// occurred_at as epoch microseconds, diff as jsonb's canonical text), so any change to a stored
// field changes the hash.
import { createHash } from 'node:crypto';
import type { ChainVerification } from './audit.types.ts';

export const GENESIS_HASH = '0'.repeat(64);
const FORMAT_VERSION = 'v1';

/** One link as read for verification (every field as PostgreSQL's text). */
export type ChainLink = {
  id: string;
  workspaceId: string;
  seq: number;
  occurredMicros: string;
  actorType: string;
  actorId: string | null;
  realActorId: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  diffText: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  traceId: string | null;
  outcome: string;
  prevHash: string;
  hash: string;
};

function field(value: string | null): string {
  return value === null ? '-;' : `${Buffer.byteLength(value, 'utf8')}:${value};`;
}

export function canonicalLink(link: Omit<ChainLink, 'prevHash' | 'hash'>): string {
  return [
    FORMAT_VERSION, link.workspaceId, link.id, String(link.seq), link.occurredMicros, link.actorType, link.actorId,
    link.realActorId, link.action, link.targetType, link.targetId, link.diffText, link.ip, link.userAgent, link.requestId,
    link.traceId, link.outcome,
  ].map(field).join('');
}

export function linkHash(prevHash: string, link: Omit<ChainLink, 'prevHash' | 'hash'>): string {
  return createHash('sha256').update(`${prevHash}\n${canonicalLink(link)}`, 'utf8').digest('hex');
}

/**
 * Checks links in seq order, from an anchor (seq and hash of the last link removed by retention,
 * or 0 and the genesis hash). Stops at the first broken link.
 */
export function createChainVerifier(anchor: { seq: number; hash: string }) {
  let expectedSeq = anchor.seq + 1;
  let expectedPrev = anchor.hash;
  let checked = 0;
  let headSeq = anchor.seq;
  let broken: Pick<ChainVerification, 'firstBrokenSeq' | 'firstBrokenId' | 'reason'> | null = null;

  return {
    /** false once the chain is broken (the caller can stop reading). */
    check(link: ChainLink): boolean {
      if (broken) return false;
      checked++;
      headSeq = link.seq;
      const at = { firstBrokenSeq: link.seq, firstBrokenId: link.id };
      if (link.seq !== expectedSeq) broken = { ...at, reason: 'seq_gap' };
      else if (link.prevHash !== expectedPrev) broken = { ...at, reason: 'prev_hash_mismatch' };
      else if (linkHash(link.prevHash, link) !== link.hash) broken = { ...at, reason: 'hash_mismatch' };
      expectedSeq = link.seq + 1;
      expectedPrev = link.hash;
      return broken === null;
    },
    result(): ChainVerification {
      return { isValid: broken === null, checked, anchorSeq: anchor.seq, headSeq, ...(broken ?? {}) };
    },
  };
}
