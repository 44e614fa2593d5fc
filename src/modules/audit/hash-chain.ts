// The hash chain, as the sealer computes it and verification recomputes it (and as
// atrium_audit_hash() of migration 0004 did, so links made before migration 0018 still verify):
// hash = sha256(prev_hash || '\n' || canonical(event)), each field written `<octets>:<text>;`
// (null: `-;`). Values are the text PostgreSQL gives for the stored columns (uuid lower-case,
// occurred_at as epoch microseconds, diff as jsonb's canonical text), so any change to a stored
// field changes the hash.
import { createHash } from 'node:crypto';
import type { ChainVerification } from './audit.types.ts';

export const GENESIS_HASH = '0'.repeat(64);
const FORMAT_VERSION = 'v1';

/** An event as the chain hashes it (every field as PostgreSQL's text). */
export type SealableEvent = {
  id: string;
  workspaceId: string;
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
};

/** One link of the chain with its event, as read for verification. */
export type ChainLink = SealableEvent & {
  seq: number;
  prevHash: string;
  hash: string;
  /** The link names an event that is no longer there. */
  isEventMissing?: boolean;
};

function field(value: string | null): string {
  return value === null ? '-;' : `${Buffer.byteLength(value, 'utf8')}:${value};`;
}

export function canonicalLink(link: SealableEvent & { seq: number }): string {
  return [
    FORMAT_VERSION, link.workspaceId, link.id, String(link.seq), link.occurredMicros, link.actorType, link.actorId,
    link.realActorId, link.action, link.targetType, link.targetId, link.diffText, link.ip, link.userAgent, link.requestId,
    link.traceId, link.outcome,
  ].map(field).join('');
}

export function linkHash(prevHash: string, link: SealableEvent & { seq: number }): string {
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
      else if (link.isEventMissing) broken = { ...at, reason: 'event_missing' };
      else if (link.prevHash !== expectedPrev) broken = { ...at, reason: 'prev_hash_mismatch' };
      else if (linkHash(link.prevHash, link) !== link.hash) broken = { ...at, reason: 'hash_mismatch' };
      expectedSeq = link.seq + 1;
      expectedPrev = link.hash;
      return broken === null;
    },
    result(): Omit<ChainVerification, 'pending'> {
      return { isValid: broken === null, checked, anchorSeq: anchor.seq, headSeq, ...(broken ?? {}) };
    },
  };
}
