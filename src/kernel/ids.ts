// UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, variant 10, 74 random bits. Ids
// generated in JS are needed where a row must be bound before it exists: a new workspace's
// transaction is bound to its id (RLS WITH CHECK) before the row is inserted.
import { randomFillSync } from 'node:crypto';

// Random bytes come from a pool filled 4 KiB at a time: one system call per 256 ids instead of
// one per id (a getrandom call cost ~18 µs on the bench machine, more than the rest of an id).
const POOL = Buffer.alloc(4096);
let poolOffset = POOL.length;

function takeRandom(size: number): number {
  if (poolOffset + size > POOL.length) {
    randomFillSync(POOL);
    poolOffset = 0;
  }
  const at = poolOffset;
  poolOffset += size;
  return at;
}

const scratch = Buffer.alloc(16);

/** 48-bit milliseconds, version 7, `randA` (12 bits), variant 10 and 62 random bits, as text. */
function format(ms: number, randA: number | null): string {
  POOL.copy(scratch, 0, takeRandom(16), poolOffset);
  const high = Math.floor(ms / 0x1_0000_0000);
  scratch.writeUInt16BE(high & 0xffff, 0);
  scratch.writeUInt32BE(ms >>> 0, 2);
  if (randA === null) scratch[6] = (scratch[6] & 0x0f) | 0x70;
  else {
    scratch[6] = 0x70 | (randA >> 8);
    scratch[7] = randA & 0xff;
  }
  scratch[8] = (scratch[8] & 0x3f) | 0x80;
  const hex = scratch.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function uuidv7(now: number = Date.now()): string {
  return format(Math.max(0, Math.floor(now)), null);
}

let lastMs = 0;
let counter = 0;

/**
 * A UUIDv7 that sorts after every one this process made before (RFC 9562 §6.2, method 1: a
 * 12-bit counter in rand_a, seeded at random each millisecond; when it runs out, or the clock
 * steps back, the millisecond moves forward). Ids made one after the other sort in that order,
 * even within a millisecond: audit events page and chain in their order of creation.
 */
export function uuidv7Monotonic(now: number = Date.now()): string {
  const ms = Math.max(0, Math.floor(now));
  if (ms > lastMs) {
    lastMs = ms;
    counter = POOL.readUInt16BE(takeRandom(2)) & 0x7ff;
  } else if (++counter > 0xfff) {
    lastMs++;
    counter = 0;
  }
  return format(lastMs, counter);
}

/** The millisecond timestamp carried by a UUIDv7. */
export function uuidv7Time(id: string): number {
  return Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16);
}

export const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID_PATTERN.test(value);
}
